"""Suggestions (issue 16): a machine's codes offered to the rater coding a session, only
where the lead allows it, and accepted as the rater's own code through the same
transaction and undo path as any code."""

from __future__ import annotations

from pathlib import Path

import pytest
from screening_data import MACHINE, PASSPHRASE
from sqlalchemy import select

from coder.app import access, identity, rounds
from coder.app.access import NotAllowed
from coder.app.coding import CodingSession
from coder.app.suggestions import list_suggestions
from coder.cli import main
from coder.domain.errors import ValidationError
from coder.store.database import ProjectDatabase
from coder.store.models import CodeApplicationRow


def test_off_by_default_and_only_a_lead_turns_them_on(
    screen_db: ProjectDatabase, machine_codes: list[tuple[str, int, float]]
) -> None:
    ada = identity.sign_in(screen_db, "Ada")
    cs = CodingSession(screen_db, ada, "P01", 1)
    found = list_suggestions(cs)
    assert found.items == [] and found.refusal and "off" in found.refusal
    with pytest.raises(NotAllowed, match="only a lead"):
        access.set_suggestions_enabled(screen_db, ada, True)
    access.set_suggestions_enabled(screen_db, identity.sign_in(screen_db, "Lee", PASSPHRASE), True)
    found = list_suggestions(cs, threshold=0.5)
    assert found.refusal is None
    assert [(s.code_id, s.turn, s.probability) for s in found.items] == [
        ("W1", 2, 0.9),
        ("W1", 4, 0.6),
    ]  # most probable first; 0.3 is below the threshold
    assert found.items[0].machine == MACHINE
    # Blinding is untouched: the machine's codes are still not among the codes Ada sees.
    assert all(c.rater_id == ada.rater_id for c in cs.codes())
    assert [s.turn for s in list_suggestions(cs, 0.0, {found.items[0].uid}).items] == [4, 6]


def test_accepting_stores_the_raters_own_code_with_its_probability(
    screen_db: ProjectDatabase, machine_codes: list[tuple[str, int, float]]
) -> None:
    lee = identity.sign_in(screen_db, "Lee", PASSPHRASE)
    access.set_suggestions_enabled(screen_db, lee, True)
    ada = identity.sign_in(screen_db, "Ada")
    cs = CodingSession(screen_db, ada, "P01", 1)
    first = list_suggestions(cs).items[0]
    code = cs.accept_suggestion(first)
    assert code.rater_id == ada.rater_id and code.code_id == "W1" and code.unit_index == 1
    assert code.evidence is not None and code.evidence.turn == 2
    assert code.probability == 0.9  # the record that it came from a suggestion
    assert [s.turn for s in list_suggestions(cs).items] == [4, 6]  # accepted: gone
    with pytest.raises(ValidationError, match="already marked"):
        cs.accept_suggestion(first)
    # Undo and redo (remove, restore) keep it exactly, probability included.
    removed = cs.remove([code.uid])
    assert [s.turn for s in list_suggestions(cs).items] == [2, 4, 6]
    (restored,) = cs.restore(removed)
    assert restored.uid == code.uid and restored.probability == 0.9
    with screen_db.reading() as session:
        machine_rows = session.scalars(
            select(CodeApplicationRow).where(CodeApplicationRow.probability.is_not(None))
        ).all()
    assert len(machine_rows) == 5  # the machine's three codes and rating, and Ada's one


def test_no_suggestions_inside_an_open_round(
    screen_db: ProjectDatabase, machine_codes: list[tuple[str, int, float]]
) -> None:
    lee = identity.sign_in(screen_db, "Lee", PASSPHRASE)
    access.set_suggestions_enabled(screen_db, lee, True)
    ada = identity.sign_in(screen_db, "Ada")
    cs = CodingSession(screen_db, ada, "P01", 1)
    shown = list_suggestions(cs).items[0]
    rounds.create_round(screen_db, lee, "reliability 1")
    rounds.assign(screen_db, lee, "Ada", "P01", 1, 1)
    found = list_suggestions(cs)
    assert found.items == [] and found.refusal and "round 1 is open" in found.refusal
    with pytest.raises(NotAllowed, match="round 1 is open"):
        cs.accept_suggestion(shown)  # a list shown before the round opened
    from coder.app.suggestions import dismiss_suggestion

    with pytest.raises(NotAllowed, match="round 1 is open"):
        dismiss_suggestion(cs, shown)  # nor dismissed: the rater may not see it now
    assert list_suggestions(CodingSession(screen_db, ada, "P02", 1)).refusal is None


def test_the_lead_switches_suggestions_from_the_command_line(
    screen_db: ProjectDatabase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = str(tmp_path / "s.sqlite")
    pass_file = tmp_path / "pass.txt"
    pass_file.write_text(PASSPHRASE, encoding="utf-8")

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as info:
            main(["project", "suggestions", *args, "--project", project])
        out, err = capsys.readouterr()
        return int(info.value.code or 0), out, err

    assert run() == (0, "Suggestions: off\n", "")
    code, _, err = run("on", "--as", "Ada")
    assert code == 2 and "only a lead" in err and err.count("\n") == 1
    assert run("on", "--as", "Lee", "--passphrase-file", str(pass_file))[0] == 0
    assert run()[1] == "Suggestions: on\n"


def test_a_dismissal_is_kept_per_rater_and_survives_a_restart_and_a_rerun(
    screen_db: ProjectDatabase, machine_codes: list[tuple[str, int, float]]
) -> None:
    """Dismissing is stored (one transaction, audited), so a reopened session still
    leaves the passage out and counts it as dismissed; another rater still sees it; a
    second run of the model (new codes, new uids) does not bring it back; undo
    (restore) does."""
    from coder.app.suggestions import dismiss_suggestion, restore_suggestion
    from coder.store.models import AuditRow, RaterRow

    lee = identity.sign_in(screen_db, "Lee", PASSPHRASE)
    access.set_suggestions_enabled(screen_db, lee, True)
    ada = identity.sign_in(screen_db, "Ada")
    first = list_suggestions(CodingSession(screen_db, ada, "P01", 1), 0.5).items[0]
    assert first.turn == 2
    assert dismiss_suggestion(CodingSession(screen_db, ada, "P01", 1), first) is True
    assert dismiss_suggestion(CodingSession(screen_db, ada, "P01", 1), first) is False
    reopened = list_suggestions(CodingSession(screen_db, ada, "P01", 1), 0.5)
    assert [s.turn for s in reopened.items] == [4] and reopened.dismissed == 1
    assert [
        s.turn for s in list_suggestions(CodingSession(screen_db, lee, "P01", 1), 0.5).items
    ] == [
        2,
        4,
    ]  # Lee never dismissed it
    with screen_db.reading() as session:
        audited = session.scalars(
            select(AuditRow).where(AuditRow.table == "suggestion_dismissals")
        ).all()
    assert [(a.action, a.actor) for a in audited] == [("insert", "Ada")]
    # `coder screen run` again: the machine's codes are replaced (new uids), same passages.
    with screen_db.transaction() as session:
        machine_id = session.scalar(select(RaterRow.id).where(RaterRow.name == MACHINE))
        rows = session.scalars(
            select(CodeApplicationRow).where(CodeApplicationRow.rater_id == machine_id)
        ).all()
        copies = [
            CodeApplicationRow(
                **{
                    c: getattr(r, c)
                    for c in ("session_id", "rater_id", "scheme_id", "code_id", "unit",
                              "unit_index", "segment_id", "evidence_turn", "evidence_start",
                              "evidence_end", "value", "probability")
                }
            )
            for r in rows
        ]  # fmt: skip
        for r in rows:
            session.delete(r)
        session.flush()
        session.add_all(copies)
    rerun = list_suggestions(CodingSession(screen_db, ada, "P01", 1), 0.5)
    assert [s.turn for s in rerun.items] == [4] and rerun.dismissed == 1
    again = list_suggestions(CodingSession(screen_db, ada, "P01", 1), 0.0, include_dismissed=True)
    (dismissed,) = [s for s in again.items if s.turn == 2]
    restore_suggestion(CodingSession(screen_db, ada, "P01", 1), dismissed)
    assert [
        s.turn for s in list_suggestions(CodingSession(screen_db, ada, "P01", 1), 0.5).items
    ] == [
        2,
        4,
    ]
