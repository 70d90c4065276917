"""Machine pre-screening on real data: AnnoMI (133 expert-labelled MI conversations).

    .venv/bin/python benchmarks/bench_screening.py [--quick] [--check]

Imports AnnoMI-simple.csv (../shared/data/annomi/ beside the repository; skipped with a
message when absent) as one patient with one session per conversation, its labels as the
turn codes of one rater ("AnnoMI experts") under benchmarks/annomi-mi.yaml, then:

* ``coder screen evaluate`` logic: 5-fold cross-validation grouped by session (one
  patient), per code Cohen's kappa of machine vs expert on that speaker's turns;
* training time on 100 sessions (target <= 60 s) and suggesting for the longest session
  (598 utterances; target <= 1 s).

Targets (issue 16): mean per-code kappa therapist >= 0.55, client >= 0.25. ``--check``
exits 1 when one is missed. ``--quick`` uses 3 folds.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from coder.app import importing, projects, schemes, screening, screening_evaluation
from coder.app.codes import import_codes
from coder.app.importing import ImportOptions
from coder.domain.roles import SpeakerRole
from coder.io.transcripts.model import ReadOptions
from coder.store.database import ProjectDatabase

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "annomi" / "AnnoMI-simple.csv"
SCHEME = REPO / "benchmarks" / "annomi-mi.yaml"
PATIENT = "ANNOMI"
RATER = "AnnoMI experts"
THERAPIST = {"reflection": "REFLECTION", "question": "QUESTION",
             "therapist_input": "INPUT", "other": "T_OTHER"}  # fmt: skip
CLIENT = {"change": "CHANGE", "neutral": "NEUTRAL", "sustain": "SUSTAIN"}
EXPERTS = {"therapist": 0.737, "client": 0.467}  # Fleiss' kappa, 10 experts, 7 conversations
TARGETS = {"therapist": 0.55, "client": 0.25}


def build(folder: Path) -> tuple[ProjectDatabase, dict[int, int]]:
    conversations: dict[int, list[dict[str, str]]] = defaultdict(list)
    with DATA.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            conversations[int(row["transcript_id"])].append(row)
    db = projects.create_project(folder / "annomi.sqlite")
    schemes.add_scheme_file(db, SCHEME)
    codes_path = folder / "codes.csv"
    sizes: dict[int, int] = {}
    with codes_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["patient", "session", "rater", "code", "unit", "unit_index", "value",
                         "scheme", "evidence_start", "evidence_end", "memo"])  # fmt: skip
        for tid, rows in sorted(conversations.items()):
            rows.sort(key=lambda r: int(r["utterance_id"]))
            number = tid + 1
            lines = []
            for turn, r in enumerate(rows, start=1):
                who = "T" if r["interlocutor"] == "therapist" else "P"
                text = " ".join(r["utterance_text"].split()) or "(inaudible)"
                lines.append(f"{who}: {text}")
                label = (
                    THERAPIST.get(r["main_therapist_behaviour"])
                    if who == "T"
                    else CLIENT.get(r["client_talk_type"])
                )
                if label:
                    writer.writerow([PATIENT, number, RATER, label, "turn", turn, 1,
                                     "annomi-mi", "", "", ""])  # fmt: skip
            path = folder / f"{PATIENT}_S{number}.txt"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            options = ImportOptions(
                pattern="{patient}_S{session}",
                read=ReadOptions(merge_cues=False),
                roles={"T": SpeakerRole.THERAPIST, "P": SpeakerRole.PATIENT},
            )
            result = importing.import_file(db, path, options)
            assert result.ok, result
            sizes[number] = len(rows)
    import_codes(db, codes_path, None, create_raters=True)
    return db, sizes


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the evaluation here")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"bench_screening: skipped: {DATA} is absent (see its README for the source)")
        return 0
    folds = 3 if args.quick else 5
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        db, sizes = build(folder)
        print(f"import: {len(sizes)} sessions, {sum(sizes.values())} turns "
              f"in {time.perf_counter() - t0:.1f} s")  # fmt: skip
        try:
            first100 = [f"{PATIENT}/{n}" for n in sorted(sizes)[:100]]
            cpu0 = time.process_time()
            trained = screening.train(
                db, None, RATER, folder / "m.model", scheme_key="annomi-mi", sessions=first100
            )
            train_cpu = time.process_time() - cpu0
            longest = max(sizes, key=lambda n: sizes[n])
            t1, cpu1 = time.perf_counter(), time.process_time()
            run = screening.run(db, None, folder / "m.model", [f"{PATIENT}/{longest}"])
            suggest_s, suggest_cpu = time.perf_counter() - t1, time.process_time() - cpu1
            t2 = time.perf_counter()
            result = screening_evaluation.evaluate(
                db, None, RATER, folds=folds, scheme_key="annomi-mi"
            )
            eval_s = time.perf_counter() - t2
        finally:
            db.close()
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    # CPU time next to wall time: on the shared machine wall time moves with the load.
    print(f"train on {trained.n_sessions} sessions: {trained.seconds:.1f} s wall, "
          f"{train_cpu:.1f} s CPU (target <= 60 s)")  # fmt: skip
    print(f"suggest for one session ({sizes[longest]} turns): {suggest_s:.2f} s wall, "
          f"{suggest_cpu:.2f} s CPU (target <= 1 s; {run.codes} codes stored)")  # fmt: skip
    print(f"{folds}-fold evaluation grouped by {result['model']['group_by']}: {eval_s:.0f} s")
    print(
        f"{'code':<12}{'units':>7}{'pos':>6}{'kappa':>7}{'95% CI':>15}{'alpha':>7}{'prec':>6}"
        f"{'rec':>6}{'AUC':>6}"
    )
    side = {
        **{c: "therapist" for c in THERAPIST.values()},
        **{c: "client" for c in CLIENT.values()},
    }
    per_side: dict[str, list[float]] = defaultdict(list)
    for c in result["codes"]:
        print(
            f"{c['code']:<12}{c['n_units']:>7}{c['n_positive']:>6}{c['kappa']:>7.3f}"
            f"{'[{:.3f}, {:.3f}]'.format(*c['kappa_ci']) if c['kappa_ci'] else '—':>15}"
            f"{c['alpha']:>7.3f}{c['precision']:>6.2f}{c['recall']:>6.2f}{c['auc']:>6.3f}"
        )
        per_side[side[c["code"]]].append(c["kappa"])
    ok = trained.seconds <= 60 and suggest_s <= 1
    for name, values in per_side.items():
        mean = sum(values) / len(values)
        met = mean >= TARGETS[name]
        ok &= met
        print(f"mean kappa {name}: {mean:.3f} (target >= {TARGETS[name]}, experts' Fleiss "
              f"{EXPERTS[name]}) {'PASS' if met else 'FAIL'}")  # fmt: skip
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
