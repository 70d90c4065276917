"""File ▸ Export ▸ Export rater package… / Merge rater packages… (wiring only; the work
is :mod:`coder.app.packages`, the same functions ``coder package`` calls).

Merging is two steps so nobody merges blind: a dry run (in the background) fills a
preview of what will change, per package and session (codes added, unchanged,
conflicts), and only *Merge* in that preview commits, again in the background and in one
transaction. A preview with conflicts cannot be merged: the conflicts are listed, and
the lab fixes them first (the same rule as the command line, which refuses them all).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from coder.app import raters
from coder.domain.errors import CoderError
from coder.domain.roles import RaterRole
from coder.ui.host import WindowHost
from coder.ui.worker import Job, run_job

if TYPE_CHECKING:  # imported when used: packages are not needed to start the window
    from coder.app.packages import MergeResult, PackageExport

FILTERS = "Rater packages (*.rcpkg);;All files (*)"


def add_package_actions(w: WindowHost, menu: QMenu) -> None:
    menu.addSeparator()
    export = menu.addAction("Export rater package…")
    export.setStatusTip("One rater's codes, episodes and memos in a file (docs/packages.md)")
    export.triggered.connect(lambda _checked=False: export_package(w))
    merge = menu.addAction("Merge rater packages…")
    merge.setStatusTip("Bring raters' packages into this project, after a preview")
    merge.triggered.connect(lambda _checked=False: merge_packages(w))


def _failed(w: WindowHost, title: str) -> Callable[[BaseException], None]:
    def failed(exc: BaseException) -> None:
        if isinstance(exc, CoderError):
            w.prompter.error(title, str(exc))
        else:
            from coder.ui.error_report import report_exception

            report_exception(exc, title.lower(), w)

    return failed


def export_package(w: WindowHost) -> Job | None:
    """Ask whose package (a rater signed in exports their own) and where, then write it
    in the background."""
    coder = w.coder
    if coder is not None and coder.role is RaterRole.RATER:
        name = coder.name
    else:
        names = [r.name for r in raters.list_raters(w.db) if r.role is not RaterRole.CONSENSUS]
        if not names:
            w.prompter.error("Export rater package", "the project has no raters yet")
            return None
        picked = w.prompter.choose("Export rater package", "Whose codes?", names)
        if picked is None:
            return None
        name = names[picked]
    target = w.prompter.save_file(
        "Export rater package", FILTERS, f"{name.replace(' ', '-').lower()}.rcpkg"
    )
    if target is None:
        return None
    from coder.app import packages

    db = w.db

    def work(job: Job) -> PackageExport:
        return packages.export_package(db, name, target, coder, before_write=job.check)

    def done(result: object) -> None:
        if isinstance(result, packages.PackageExport):
            w.show_message(
                f"Wrote {result.rater}'s package to {result.path}: {result.codes} codes, "
                f"{result.episodes} episodes"
            )
        else:  # Cancel before the write: no file
            w.show_message("Export cancelled; nothing was written")

    job = run_job(
        w, "Export rater package", work, on_done=done,
        on_error=_failed(w, "Export rater package"),
    )  # fmt: skip
    w.package_job = job
    return job


def merge_packages(w: WindowHost) -> Job | None:
    """Ask for the packages, preview the merge in the background, then show the preview."""
    paths = w.prompter.open_files("Merge rater packages", FILTERS)
    if not paths:
        return None
    from coder.app import packages
    from coder.app.packages import MergeResult

    db, coder = w.db, w.coder

    def work(_job: Job) -> MergeResult:
        return packages.merge_packages(db, paths, coder, dry_run=True)

    def done(result: object) -> None:
        if isinstance(result, MergeResult):
            dialog = MergePreview(w, result)
            w.package_preview = dialog
            dialog.open()

    # The preview only reads: after Cancel its result is simply dropped.
    job = run_job(
        w, "Merge rater packages", work, on_done=done,
        on_error=_failed(w, "Merge rater packages"), discard_on_cancel=True,
    )  # fmt: skip
    w.package_job = job
    return job


class MergePreview(QDialog):
    """What the merge will do, per package and session; *Merge* commits it."""

    def __init__(self, w: WindowHost, preview: MergeResult) -> None:
        super().__init__(w)
        self.window_ = w
        self.paths: list[Path] = [p.path for p in preview.packages]
        self.setWindowTitle("Merge rater packages")
        layout = QVBoxLayout(self)
        problems = preview.problems
        summary = (
            f"{preview.added} codes to add, {preview.unchanged} already in the project."
            if not problems
            else f"{len(problems)} problem(s): nothing can be merged until they are fixed."
        )
        self.summary = QLabel(summary)
        layout.addWidget(self.summary)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Package / session", "Added", "Unchanged", "Conflicts"])
        for pkg in preview.packages:
            top = QTreeWidgetItem([f"{pkg.path.name} ({pkg.rater})", str(pkg.added),
                                   str(pkg.unchanged), str(len(pkg.all_problems()))])  # fmt: skip
            for s in pkg.sessions:
                top.addChild(QTreeWidgetItem(
                    [s.label, str(s.added), str(s.unchanged), str(len(s.conflicts))]
                ))  # fmt: skip
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        layout.addWidget(self.tree)
        self.problems = QPlainTextEdit("\n".join(problems))
        self.problems.setReadOnly(True)
        self.problems.setVisible(bool(problems))
        layout.addWidget(self.problems)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = self.buttons.addButton("Merge", QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setEnabled(not problems and preview.added > 0)
        self.buttons.accepted.connect(self.commit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(560, 420)

    def commit(self) -> None:
        """Merge for real, in the background; the dialog closes once it is done."""
        from coder.app import packages
        from coder.app.packages import MergeResult

        w = self.window_
        db, coder, paths = w.db, w.coder, self.paths
        self.merge_button.setEnabled(False)

        def work(job: Job) -> MergeResult:
            def progress(done: int, total: int) -> None:
                job.step(done, total, f"Merging package {done + 1} of {total}…")
                job.check()  # Cancel: the merge's one transaction is rolled back

            return packages.merge_packages(db, paths, coder, progress=progress)

        def done(result: object) -> None:
            self.accept()
            if isinstance(result, MergeResult):
                w.show_message(f"Merged {result.added} codes ({result.unchanged} already present)")
                w.refresh_sessions()
            else:
                w.show_message("Merge cancelled; nothing was stored")

        def failed(exc: BaseException) -> None:
            self.reject()
            _failed(w, "Merge rater packages")(exc)

        w.package_job = run_job(
            self, "Merge rater packages", work,
            on_done=done, on_error=failed,
        )  # fmt: skip
