"""Pool the per-patient scores of a 3-fold cross-validation of notebook 08 recorded in benchmarks/real_data.json.

    python benchmarks/real_data.py 08 <Task02_Heart> -p FOLD 0 --label "Task02_Heart CV fold 0, COPIES 4" -p COPIES 4
    (the same for folds 1 and 2), then
    python benchmarks/cv_08.py "Task02_Heart CV fold {}, COPIES 4"

Each fold's row holds its held-out patients' scores (``per_patient``); this prints every patient and the mean and
sample standard deviation over all of them, for the networks alone (threshold 0.5), for the pipeline chosen in
each fold on that fold's validation patients and, where the rows hold them (``view_dice``), for each view's network
alone.
"""
from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

JSON_IN = Path(__file__).resolve().parent / "real_data.json"


def pooled(rows: list[dict], pattern: str, folds: int = 3) -> dict[str, dict[str, float]]:
    """Per-patient scores of the folds whose labels are ``pattern.format(k)``; raises if a fold is missing."""
    by_label = {r["label"]: r for r in rows if r.get("ok")}
    patients: dict[str, dict[str, float]] = {}
    for k in range(folds):
        label = pattern.format(k)
        if label not in by_label:
            raise SystemExit(f"no successful row labelled {label!r} in {JSON_IN.name}: run that fold first")
        for case, scores in by_label[label]["metrics"]["per_patient"].items():
            patients[case] = {"fold": k, "network": scores["dice"], "chosen": scores["final_dice"],
                              "end_off_mm": scores.get("centre_off_mm", float("nan")),
                              **{f"view {v}": d for v, d in scores.get("view_dice", {}).items()}}
    return patients


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pattern", help='the fold rows\' label with {} for the fold, e.g. "Task02_Heart CV fold {}"')
    args = parser.parse_args(argv)
    patients = pooled(json.loads(JSON_IN.read_text()), args.pattern)
    views = sorted({key for s in patients.values() for key in s if key.startswith("view ")})
    for case, s in sorted(patients.items()):
        print(f"{case}  fold {s['fold']}  network alone {s['network']:.3f}  chosen {s['chosen']:.3f}  "
              f"final crop {s['end_off_mm']:.1f} mm off" + "".join(f"  {v} {s.get(v, float('nan')):.3f}" for v in views))
    keys = [("network", "network alone at 0.5"), ("chosen", "chosen in each fold")]
    for key, name in keys + [(v, f"{v[5:]} network alone at 0.5") for v in views]:
        values = [s[key] for s in patients.values() if key in s]
        print(f"{len(values)} patients, {name}: {statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
