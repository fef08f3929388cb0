#!/usr/bin/env python3
"""Small faces in landscape frames: which faces builds of `ekyc-preflight` find.

Usage: python3 tools/blazeface/sweep.py [--one-truth] OUTDIR BIN [BIN ...]

Makes 384 pictures in OUTDIR (once; kept for later runs): six portraits (the two in
testdata/faces/, and biden, obama, obama2 and obama3 from face_recognition 1.3.0's source
package on PyPI, US government works, fetched with `pip download` as
tools/calibration/build_set.py does) set 90, 140, 220 or 360 pixels high into a
1600 x 1000 frame (plain grey, or the foliage of testdata/seeding-12mp-orientation6.jpg),
at two places, the whole picture then turned 0-3 quarter turns clockwise (t0 is an
upright person in a landscape photo, t1 and t3 the same photo taken sideways without
EXIF). Runs `BIN check --json` on every picture, prints for each binary the pictures with
a face found, by quarter turn, then every picture whose report differs from the first
binary's (faces, findings or verdict).

With --one-truth, also runs `BIN prepare --json` on every picture and `BIN check` on the
file it wrote, and prints where the check in `prepare`'s report and `check` of the file
disagree (verdict, the rules that fired, or how many faces).
"""
import io
import itertools
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SIZES = [90, 140, 220, 360]
PLACES = {"a": (0.3, 0.4), "b": (0.75, 0.65)}


def portraits():
    photos = {p.stem: Image.open(p).convert("RGB") for p in sorted((ROOT / "testdata/faces").glob("*.jpg"))}
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "face_recognition==1.3.0", "--no-deps",
                        "--no-binary", ":all:", "-q", "-d", tmp], check=True)
        with tarfile.open(next(Path(tmp).glob("face_recognition-1.3.0.tar.gz"))) as tar:
            for name in ["biden", "obama", "obama2", "obama3"]:
                data = tar.extractfile(f"face_recognition-1.3.0/tests/test_images/{name}.jpg").read()
                photos[name] = Image.open(io.BytesIO(data)).convert("RGB")
    return photos


def make(out):
    foliage = Image.open(ROOT / "testdata/seeding-12mp-orientation6.jpg").convert("RGB")
    foliage = foliage.resize((1600, 1200), Image.BOX).crop((0, 100, 1600, 1100))
    backs = {"gray": Image.new("RGB", (1600, 1000), (128, 128, 128)), "foliage": foliage}
    for (name, photo), (back, frame), high, (place, (px, py)), turn in itertools.product(
            portraits().items(), backs.items(), SIZES, PLACES.items(), range(4)):
        wide = round(photo.width * high / photo.height)
        im = frame.copy()
        im.paste(photo.resize((wide, high), Image.LANCZOS),
                 (round(px * 1600 - wide / 2), round(py * 1000 - high / 2)))
        im.rotate(-90 * turn, expand=True).save(out / f"{name}-{back}-{high}-{place}-t{turn}.png")


def reports(binary, files):
    got = {}
    for i in range(0, len(files), 50):
        run = subprocess.run([binary, "check", "--json"] + [str(f) for f in files[i:i + 50]],
                             capture_output=True, text=True)
        for report in json.loads(run.stdout):
            got[Path(report["file"]).name] = report
    return got


def one_truth(binary, files, out):
    """The pictures whose `prepare` report and `check` of the written file disagree."""
    splits, faces = [], 0
    for f in files:
        written = out / "one-truth" / (f.stem + ".jpg")
        written.parent.mkdir(exist_ok=True)
        run = subprocess.run([binary, "prepare", str(f), "-o", str(written), "--json"],
                             capture_output=True, text=True)
        report = json.loads(run.stdout)
        if report.get("outcome") != "prepared":
            continue
        theirs = reports(binary, [written])[written.name]
        said = [(r["verdict"], sorted(x["rule"] for x in r["findings"]), len(r["faces"]))
                for r in (report["check"], theirs)]
        faces += bool(report["check"]["faces"])
        if said[0] != said[1]:
            splits.append((f.name, said[0], said[1]))
    print(f"{binary}: a face in {faces} reports; report and file disagree on {len(splits)}")
    for name, a, b in splits:
        print(f"  {name}: report {a}, file {b}")


def summary(report):
    faces = [(round(f["x"]), round(f["y"]), round(f["score"], 2)) for f in report.get("faces") or []]
    rules = sorted(f["rule"] for f in report.get("findings", []))
    return faces, rules, report["verdict"]


def main():
    args = sys.argv[1:]
    truth = "--one-truth" in args
    args = [a for a in args if a != "--one-truth"]
    out = Path(args[0])
    out.mkdir(parents=True, exist_ok=True)
    if not list(out.glob("*.png")):
        make(out)
    files = sorted(out.glob("*.png"))
    runs = [(b, reports(b, files)) for b in args[1:]]
    for binary, got in runs:
        by_turn = [sum(1 for f in files if f.stem.endswith(f"t{t}") and got[f.name].get("faces"))
                   for t in range(4)]
        print(f"{binary}: a face found in {sum(by_turn)} of {len(files)} pictures; by turn t0-t3: {by_turn}")
    base = runs[0][1]
    for binary, got in runs[1:]:
        for f in files:
            a, b = summary(base[f.name]), summary(got[f.name])
            if a != b:
                print(f"  {binary} differs on {f.name}: faces {a[0]} -> {b[0]}, {a[2]} -> {b[2]}")
    if truth:
        for binary, _ in runs:
            one_truth(binary, files, out)


if __name__ == "__main__":
    main()
