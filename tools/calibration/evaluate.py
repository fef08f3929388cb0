#!/usr/bin/env python3
"""Chooses the face thresholds on the `fit` half of the labelled set (build_set.py) and
reports the verdicts on the `held` half.

Usage: python3 tools/calibration/evaluate.py OUT_DIR

A picture counts as rejected for image quality when a `blur`, `exposure` or `contrast`
finding of severity `reject` fires, judged here from the face measures in its report
with candidate thresholds (so that thresholds can be searched without rerunning).
Borderline pictures are reported, not scored.
"""
import csv
import itertools
import json
import sys
from pathlib import Path


def measures(report):
    f = report.get("face_metrics")
    if not f:
        return None
    r = f["region"]
    return dict(sharp=r["sharpness"], median=r["median_luma"], dark=r["dark_fraction"],
                bright=r["bright_fraction"], contrast=r["contrast"], backlight=f["backlight"])


def rejects(m, t):
    if m is None:
        return True  # no face found: `check` rejects it (NoFaceDetected)
    return (m["sharp"] < t["sharp"] or m["median"] < t["lo"] or m["median"] > t["hi"]
            or m["dark"] > t["dark"] or m["bright"] > t["bright"] or m["contrast"] < t["contrast"]
            or m["backlight"] > t["backlight"])


def score(rows, t):
    good = [r for r in rows if r["label"] == "pass"]
    bad = [r for r in rows if r["label"] == "reject"]
    fp = sum(rejects(r["m"], t) for r in good)
    tp = sum(rejects(r["m"], t) for r in bad)
    return fp, len(good), tp, len(bad)


def main():
    out = Path(sys.argv[1])
    labels = list(csv.DictReader(open(out / "labels.csv")))
    reports = json.load(open(out / "reports.json"))
    rows, missing = [], []
    for l in labels:
        m = measures(reports[l["file"]])
        if m is None:
            missing.append(l["file"])
        rows.append({**l, "m": m})
    fit = [r for r in rows if r["part"] == "fit"]
    held = [r for r in rows if r["part"] == "held"]
    grid = dict(sharp=[0.1, 0.12, 0.15, 0.17, 0.18, 0.19, 0.2, 0.25], lo=[40, 50, 55, 60, 65, 70],
                hi=[200, 210, 220, 230], dark=[0.3, 0.5], bright=[0.2, 0.3, 0.4, 0.5],
                contrast=[0.1, 0.15, 0.2, 0.25, 0.3], backlight=[100, 110, 120, 140])
    best = None
    for values in itertools.product(*grid.values()):
        t = dict(zip(grid, values))
        fp, ng, tp, nb = score(fit, t)
        # Fewest missed rejects with at most 5% of good photos rejected; then fewest
        # good rejected.
        if fp > 0.05 * ng:
            continue
        key = (nb - tp, fp)
        if best is None or key < best[0]:
            best = (key, t)
    t = best[1]
    print("thresholds chosen on the fit half:", t)
    print("no face found (counted as rejected, NoFaceDetected):", missing)
    for name, part in [("fit", fit), ("held", held), ("all", rows)]:
        fp, ng, tp, nb = score(part, t)
        print(f"{name}: good rejected {fp}/{ng}, should-reject caught {tp}/{nb}")
    print("\nper kind (held half): rejected / pictures")
    kinds = {}
    for r in held:
        kinds.setdefault((r["kind"], r["label"]), []).append(rejects(r["m"], t))
    for (kind, label), v in sorted(kinds.items()):
        print(f"  {kind:14} {label:10} {sum(v)}/{len(v)}")


if __name__ == "__main__":
    main()
