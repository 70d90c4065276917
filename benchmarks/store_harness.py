"""Store torture harness: concurrent raters and SIGKILLs during coding.

Used by ``bench_store.py`` (big numbers) and by ``tests/store/test_safety.py`` /
``tests/store/test_postgres_lab.py`` (small numbers; the kill test on either back end).
Every worker is a separate Python process that codes through
:class:`coder.app.coding.CodingSession`, exactly as the app does:

* ``writer``: one rater, a fixed number of operations (add a presence code, remove one,
  set or change a significance rating, clear one), each acknowledged only after its
  transaction returned; prints its final expected codes as JSON.
* ``crash``: one rater, endless operations; prints ``BEGIN …`` before and ``ACK …``
  after each committed one (flushed), so whoever kills it knows exactly which edits were
  acknowledged and which one (at most) was in flight.

State is compared as ``{"CODE/segment": value}`` per rater (presence codes have value 1).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

PRESENCE = ("W1", "W2", "W3", "W4", "C1", "C2", "R1", "R2")
RATING = "W_SIG"
SEGMENTS = 12
PATIENT, SESSION = "P01", 1

State = dict[str, int]


def transcript_text() -> str:
    """60 minutes, a turn every 30 s: 12 five-minute segments under 3RS-2015."""
    lines = []
    for i in range(120):
        seconds = 5 + i * 30
        who = "T" if i % 2 == 0 else "P"
        stamp = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        lines.append(f"[{stamp}] {who}: turn {i + 1} of the session, words words.")
    return "\n".join(lines) + "\n"


def rater_names(count: int) -> list[str]:
    return [f"Rater {i + 1:02d}" for i in range(count)]


def make_project(target: str, raters: int, folder: Path, *, is_url: bool) -> None:
    """A project (file path or URL) with one 12-segment session and ``raters`` raters."""
    from coder.app import importing, projects
    from coder.app import raters as rater_service
    from coder.app.importing import ImportOptions

    db = projects.create_project(target, is_url=is_url)
    try:
        source = folder / f"{PATIENT}_S{SESSION}.txt"
        source.write_text(transcript_text(), encoding="utf-8")
        result = importing.import_file(db, source, ImportOptions(pattern="{patient}_S{session}"))
        assert result.ok, result
        for i, name in enumerate(rater_names(raters)):
            rater_service.add_rater(db, name, "R" + chr(65 + i // 26) + chr(65 + i % 26))
    finally:
        db.close()


def db_url(target: str) -> str:
    return target if "://" in target else f"sqlite:///{Path(target).resolve()}"


def stored_state(url: str) -> dict[str, State]:
    """Every rater's codes in the project, as ``{rater: {"CODE/seg": value}}``; a key
    stored twice is reported as a duplicate (value -1), which never matches."""
    from sqlalchemy import select

    from coder.store.database import ProjectDatabase
    from coder.store.models import CodeApplicationRow, RaterRow

    db = ProjectDatabase.open(url, auto_backup=False)
    try:
        with db.reading() as s:
            rows = s.execute(
                select(
                    RaterRow.name,
                    CodeApplicationRow.code_id,
                    CodeApplicationRow.unit_index,
                    CodeApplicationRow.value,
                ).join(RaterRow, CodeApplicationRow.rater_id == RaterRow.id)
            ).all()
    finally:
        db.close()
    out: dict[str, State] = {}
    for name, code, index, value in rows:
        state = out.setdefault(name, {})
        key = f"{code}/{index}"
        state[key] = -1 if key in state else int(value if value is not None else 0)
    return out


def integrity_ok(path: Path) -> bool:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        con.close()


# ---- the worker side ----------------------------------------------------------------
@dataclass
class Op:
    kind: str  # toggle | set | clear
    code: str
    segment: int
    value: int = 0

    def line(self) -> str:
        return f"{self.kind} {self.code} {self.segment} {self.value}"

    @staticmethod
    def parse(text: str) -> Op:
        kind, code, segment, value = text.split()
        return Op(kind, code, int(segment), int(value))

    def apply(self, state: State) -> None:
        """The effect of this operation on a rater's codes (as the service defines it)."""
        key = f"{self.code}/{self.segment}"
        if self.kind == "toggle":
            if key in state:
                del state[key]
            else:
                state[key] = 1
        elif self.kind == "set":
            state[key] = self.value
        else:
            state.pop(key, None)


def random_op(rng: random.Random) -> Op:
    roll = rng.random()
    segment = rng.randint(1, SEGMENTS)
    if roll < 0.6:
        return Op("toggle", rng.choice(PRESENCE), segment)
    if roll < 0.9:
        return Op("set", RATING, segment, rng.randint(1, 5))
    return Op("clear", RATING, segment)


def open_coding(url: str, rater: str) -> tuple[object, Callable[[Op], None], State]:
    from coder.app import identity
    from coder.app.coding import CodingSession
    from coder.domain.coding import Unit
    from coder.store.database import ProjectDatabase

    db = ProjectDatabase.open(url)
    cs = CodingSession(db, identity.sign_in(db, rater), PATIENT, SESSION)

    def run(op: Op) -> None:
        if op.kind == "toggle":
            cs.toggle_code(op.code, op.segment)
        elif op.kind == "set":
            cs.set_rating(op.code, op.segment, op.value)
        else:
            cs.clear_rating(op.code, Unit.SEGMENT, op.segment)

    state = {f"{c.code_id}/{c.unit_index}": int(c.value or 0) for c in cs.own_codes()}
    return db, run, state


def writer_main(url: str, rater: str, ops: int, seed: int) -> int:
    _db, run, state = open_coding(url, rater)
    rng = random.Random(seed)
    print("READY", flush=True)
    sys.stdin.readline()  # "GO": every writer starts together
    errors: list[str] = []
    for _ in range(ops):
        op = random_op(rng)
        try:
            run(op)
        except Exception as exc:  # reported to the parent, which fails
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        op.apply(state)
    print("DONE " + json.dumps({"state": state, "errors": errors}), flush=True)
    return 1 if errors else 0


def crash_main(url: str, rater: str, seed: int) -> int:
    _db, run, _state = open_coding(url, rater)
    rng = random.Random(seed)
    print("READY", flush=True)
    while True:
        op = random_op(rng)
        print("BEGIN " + op.line(), flush=True)
        run(op)
        print("ACK " + op.line(), flush=True)


# ---- the parent side ----------------------------------------------------------------
class Worker:
    """A forked child running ``target(*args)`` with its stdout and stdin on pipes.

    Forking after the parent imported everything makes a worker start in milliseconds
    (a fresh interpreter takes a second or more), which keeps hundreds of kills quick.
    The child opens its own database connections; the parent holds none while forking.
    """

    def __init__(self, target: Callable[..., int], *args: object) -> None:
        out_r, out_w = os.pipe()
        in_r, in_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            code = 1
            try:
                os.close(out_r)
                os.close(in_w)
                os.dup2(out_w, 1)
                os.dup2(in_r, 0)
                sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
                sys.stdin = open(0, closefd=False)  # noqa: SIM115
                code = target(*args)
            except BaseException as exc:
                print(f"CRASH {type(exc).__name__}: {exc}", flush=True)
            finally:
                os._exit(code)
        os.close(out_w)
        os.close(in_r)
        self.pid = pid
        self.stdout = open(out_r)  # noqa: SIM115
        self.stdin = open(in_w, "w")  # noqa: SIM115

    def send(self, line: str) -> None:
        self.stdin.write(line + "\n")
        self.stdin.flush()

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)

    def finish(self) -> tuple[str, int]:
        """Everything it printed, and its exit status (negative: killed by a signal)."""
        out = self.stdout.read()
        _pid, status = os.waitpid(self.pid, 0)
        self.stdout.close()
        self.stdin.close()
        return out, os.waitstatus_to_exitcode(status)


@dataclass
class ConcurrencyResult:
    ops: int
    seconds: float
    errors: list[str]
    lost: list[str]  # differences between acknowledged and stored codes

    @property
    def ops_per_s(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0


def run_concurrent(target: str, writers: int, ops: int, seed: int = 1) -> ConcurrencyResult:
    """``writers`` processes (one rater each) × ``ops`` operations at once; then every
    rater's stored codes must equal what that process acknowledged."""
    url = db_url(target)
    names = rater_names(writers)
    procs = [Worker(writer_main, url, name, ops, seed * 1000 + i) for i, name in enumerate(names)]
    errors: list[str] = []
    for proc in procs:
        line = proc.stdout.readline()
        if line.strip() != "READY":
            errors.append(f"worker did not start: {line}")
    if errors:
        for proc in procs:
            proc.kill()
            proc.finish()
        return ConcurrencyResult(0, 0.0, errors, [])
    start = time.perf_counter()
    for proc in procs:
        proc.send("GO")
    acknowledged: dict[str, State] = {}
    for name, proc in zip(names, procs, strict=True):
        out, status = proc.finish()
        done = [line for line in out.splitlines() if line.startswith("DONE ")]
        if not done:
            errors.append(f"{name}: no result (exit {status}): {out.strip()[-500:]}")
            continue
        result = json.loads(done[-1][5:])
        errors += [f"{name}: {e}" for e in result["errors"]]
        acknowledged[name] = result["state"]
    seconds = time.perf_counter() - start
    stored = stored_state(url)
    lost = []
    for name, state in acknowledged.items():
        have = stored.get(name, {})
        if have != state:
            lost.append(
                f"{name}: acknowledged {sorted(state.items())}, stored {sorted(have.items())}"
            )
    return ConcurrencyResult(writers * ops, seconds, errors, lost)


@dataclass
class CrashResult:
    kills: int = 0
    acked: int = 0
    in_flight_applied: int = 0
    problems: list[str] = field(default_factory=list)


def run_crashes(
    target: Path | str, kills: int, seed: int = 1, max_wait_s: float = 0.4
) -> CrashResult:
    """Start a coding worker on the project ``target`` (a SQLite file, or a server URL),
    SIGKILL it at a random moment (sometimes while it is still opening the project),
    check the project (and a file's integrity), repeat."""
    from coder.store.database import sqlite_path

    rng = random.Random(seed)
    url = db_url(str(target))
    path = sqlite_path(url)
    rater = rater_names(1)[0]
    expected: State = stored_state(url).get(rater, {})
    result = CrashResult()
    for round_ in range(kills):
        proc = Worker(crash_main, url, rater, rng.randrange(1 << 30))
        if rng.random() < 0.2:  # kill while it is still opening the project
            time.sleep(rng.uniform(0.0, 0.05))
        else:
            first = proc.stdout.readline()
            if first.strip() != "READY":
                result.problems.append(f"kill {round_}: worker failed: {first}")
                proc.finish()
                continue
            time.sleep(rng.uniform(0.0, max_wait_s))
        proc.kill()
        out, _status = proc.finish()
        result.kills += 1
        pending: Op | None = None
        for line in out.splitlines():
            if line.startswith("BEGIN "):
                pending = Op.parse(line[6:])
            elif line.startswith("ACK "):
                Op.parse(line[4:]).apply(expected)
                result.acked += 1
                pending = None
        if path is not None and not integrity_ok(path):
            result.problems.append(f"kill {round_}: integrity_check failed")
            break
        stored = stored_state(url).get(rater, {})
        if stored == expected:
            continue
        if pending is not None:  # the edit in flight may have committed, whole
            with_pending = dict(expected)
            pending.apply(with_pending)
            if stored == with_pending:
                expected = with_pending
                result.in_flight_applied += 1
                continue
        result.problems.append(
            f"kill {round_}: expected {sorted(expected.items())}, stored {sorted(stored.items())}"
            f" (in flight: {pending.line() if pending else 'none'})"
        )
        expected = stored
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("writer")
    w.add_argument("url")
    w.add_argument("rater")
    w.add_argument("ops", type=int)
    w.add_argument("seed", type=int)
    c = sub.add_parser("crash")
    c.add_argument("url")
    c.add_argument("rater")
    c.add_argument("seed", type=int)
    args = parser.parse_args()
    if args.command == "writer":
        return writer_main(args.url, args.rater, args.ops, args.seed)
    return crash_main(args.url, args.rater, args.seed)


if __name__ == "__main__":
    sys.exit(main())
