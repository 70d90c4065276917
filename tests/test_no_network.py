"""The app opens no network connection (issue 11, privacy): a whole workflow on SQLite —
the demo project, import, coding, codes import and export, reliability with its Word
report, a patient's Word report — runs in a subprocess in which creating an internet
socket, connecting one or looking up a host name raises. Only a configured database
server may be reached over the network, and this workflow has none."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Loaded by Python at start-up (PYTHONPATH), before anything of the app is imported.
SITECUSTOMIZE = """
import socket

_real_socket = socket.socket


class _NoNetwork(OSError):
    pass


def _refuse(*args, **kwargs):
    raise _NoNetwork("network access attempted under the no-network test")


class _GuardedSocket(_real_socket):
    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        # Local sockets (AF_UNIX: socketpair, local IPC) are not network access.
        if fileno is None and family not in (socket.AF_UNIX,):
            _refuse()
        super().__init__(family, type, proto, fileno)

    connect = connect_ex = sendto = _refuse


socket.socket = _GuardedSocket
socket.SocketType = _GuardedSocket
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
socket.gethostbyname = _refuse
socket.gethostbyname_ex = _refuse
"""

WORKFLOW = """
import socket, sys
from pathlib import Path

# The guard is in place before the app is imported.
try:
    socket.create_connection(("127.0.0.1", 9))
except OSError as exc:
    assert "no-network" in str(exc), exc
else:
    raise SystemExit("the socket guard is not active")

from coder.app import demo, identity, projects
from coder.app.coding import CodingSession
from coder.cli import main

home = Path(sys.argv[1])
samples = Path(sys.argv[2])

# The demo project (created and seeded: sample transcripts and two raters' codes).
db = demo.ensure_demo_project()
assert projects.counts(db).codes > 0
db.close()


def cli(*args):
    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        assert exc.code in (0, None), (args, exc.code)


project = home / "study.sqlite"
cli("init", project, "--scheme", "3rs-2015", "--scheme", "safran-muran-stages")
files = sorted(p for p in samples.glob("P0*_S*.*") if p.suffix in {".docx", ".txt", ".vtt", ".srt", ".csv"})
cli("import", "--project", project, "--pattern", "{patient}_S{session}", *files)
cli("codes", "import", "--project", project, samples / "codes.csv", "--create-raters")

# Coding through the app layer, as the desktop app does.
db = projects.open_project(project)
ada = identity.sign_in(db, "Ada Lovelace")
cs = CodingSession(db, ada, "P01", 3)
cs.apply_code("W3", segment=1)
cs.set_memo(cs.own_codes()[-1], "no network needed")
db.close()

cli("codes", "export", "--project", project, "--out", home / "codes.csv")
cli("irr", "--project", project, "--format", "json")
cli("irr", "--project", project, "--docx", home / "reliability.docx")
(home / "figs").mkdir()
cli("report", "--project", project, "--patient", "P01", "--rater", "Ada Lovelace", "--out", home / "P01.docx", "--plots-dir", home / "figs")
cli("backup", "--project", project)
for made in ("codes.csv", "reliability.docx", "P01.docx"):
    assert (home / made).stat().st_size > 0, made
print("WORKFLOW COMPLETE")
"""


def test_full_workflow_opens_no_network_connection(tmp_path: Path) -> None:
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(guard), str(REPO)]),
        "CODER_HOME": str(home),
        "MPLBACKEND": "Agg",
        "QT_QPA_PLATFORM": "offscreen",
    }
    env.pop("CODER_DB_URL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(WORKFLOW),
            str(home),
            str(REPO / "sample_transcripts"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "WORKFLOW COMPLETE" in done.stdout
    assert "no-network" not in done.stderr
