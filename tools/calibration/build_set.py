#!/usr/bin/env python3
"""Builds the labelled set `check`'s face thresholds are calibrated on, runs `check` on
it and reports per kind of damage.

Usage:
  python3 tools/calibration/build_set.py OUT_DIR [--bin target/release/ekyc-preflight]

Sources (all public domain, see testdata/README.md):
  testdata/faces/astronaut.jpg, testdata/faces/grace_hopper.jpg (scikit-image,
  matplotlib), and the photos in face_recognition 1.3.0's source package on PyPI
  (tests/test_images: biden.jpg, obama.jpg, obama2.jpg, obama3.jpg; US government works),
  fetched with `pip download face_recognition==1.3.0 --no-deps --no-binary :all:`.
Each photo is scaled so its short side is 720 (the document's recommendation), then
damaged in each of the ways below. Labels: pass / borderline / reject, with the reason
in `labels.csv`. The photos are split in two by name: thresholds are chosen on the
`fit` half and reported on the `held` half (and on all).
"""
import csv
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parents[2]


def sources(tmp):
    out = {
        "astronaut": Image.open(ROOT / "testdata/faces/astronaut.jpg"),
        "hopper": Image.open(ROOT / "testdata/faces/grace_hopper.jpg"),
    }
    sdist = list(tmp.glob("face_recognition-1.3.0.tar.gz"))
    if not sdist:
        subprocess.run([sys.executable, "-m", "pip", "download", "face_recognition==1.3.0",
                        "--no-deps", "--no-binary", ":all:", "-q", "-d", str(tmp)], check=True)
        sdist = list(tmp.glob("face_recognition-1.3.0.tar.gz"))
    with tarfile.open(sdist[0]) as tar:
        for name in ["biden", "obama", "obama2", "obama3"]:
            data = tar.extractfile(f"face_recognition-1.3.0/tests/test_images/{name}.jpg").read()
            out[name] = Image.open(io.BytesIO(data))
    return {k: v.convert("RGB") for k, v in out.items()}


def to_720(im):
    s = 720 / min(im.size)
    return im.resize((round(im.width * s), round(im.height * s)), Image.LANCZOS)


def arr(im):
    return np.asarray(im, np.float64)


def img(a):
    return Image.fromarray(np.clip(a + 0.5, 0, 255).astype(np.uint8))


def linear(a):
    a = a / 255.0
    return np.where(a <= 0.04045, a / 12.92, ((a + 0.055) / 1.055) ** 2.4)


def srgb(l):
    l = np.clip(l, 0, 1)
    return 255.0 * np.where(l <= 0.0031308, l * 12.92, 1.055 * l ** (1 / 2.4) - 0.055)


def motion(im, n):
    k = ImageFilter.Kernel((n, n) if n <= 5 else (5, 5), [1.0 / 5] * 25 if n > 5 else [1.0 / (n * n)] * (n * n))
    # Horizontal motion of n pixels: average of n shifted copies.
    a = arr(im)
    acc = np.zeros_like(a)
    for d in range(n):
        acc += np.roll(a, d - n // 2, axis=1)
    return img(acc / n)


def noise(a, sigma, seed):
    return a + np.random.default_rng(seed).normal(0, sigma, a.shape)


def backlight(im, face):
    """The subject darkened in linear light (a soft ellipse over the face box, found by
    `check` on the undamaged photo, and the body below it), the rest brightened: a window
    behind the subject."""
    a = linear(arr(im))
    h, w = a.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    cx, cy = face["x"] + face["width"] / 2, face["y"] + face["height"] / 2
    rx, ry = face["width"] * 0.9, face["height"] * 1.1
    m = np.exp(-(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2) ** 2)
    m = np.maximum(m, (yy > cy + ry) * np.exp(-((xx - cx) / (2.2 * rx)) ** 2))[..., None]
    return img(srgb(a * (0.1 * m + 3.0 * (1 - m))))


def damages(im, seed, face):
    a = arr(im)
    yield "none", "pass", "as taken", im
    for s, label in [(1, "pass"), (2, "borderline"), (3, "reject"), (5, "reject"), (8, "reject")]:
        yield f"gauss{s}", label, f"Gaussian blur sigma {s}", im.filter(ImageFilter.GaussianBlur(s))
    for n, label in [(7, "borderline"), (15, "reject"), (31, "reject")]:
        yield f"motion{n}", label, f"horizontal motion blur {n} px", motion(im, n)
    yield "defocus6", "reject", "defocus (box blur radius 6)", im.filter(ImageFilter.BoxBlur(6))
    for f, label in [(0.25, "reject"), (0.5, "borderline"), (0.7, "pass"), (1.4, "borderline"),
                     (2.0, "borderline"), (3.0, "reject")]:
        yield f"x{f}", label, f"8-bit values times {f}", img(a * f)
    for f, label in [(0.125, "reject"), (0.5, "pass"), (2.0, "borderline"), (4.0, "reject"), (8.0, "reject")]:
        yield f"lin{f}", label, f"linear light times {f}", img(srgb(linear(a) * f))
    for g, label in [(0.5, "borderline"), (2.0, "borderline")]:
        yield f"gamma{g}", label, f"gamma {g}", img(255.0 * (a / 255.0) ** g)
    for c, label in [(0.25, "reject"), (0.5, "borderline")]:
        yield f"contrast{c}", label, f"contrast squeezed to {c} around the mean", img(a.mean() + (a - a.mean()) * c)
    yield "noise10", "pass", "Gaussian noise sigma 10", img(noise(a, 10, seed))
    yield "blur5noise10", "reject", "blur sigma 5 then noise sigma 10", img(noise(arr(im.filter(ImageFilter.GaussianBlur(5))), 10, seed))
    yield "blur3noise10", "reject", "blur sigma 3 then noise sigma 10", img(noise(arr(im.filter(ImageFilter.GaussianBlur(3))), 10, seed))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=10)
    yield "jpeg10", "borderline", "JPEG quality 10", Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    if face:
        yield "backlight", "reject", "face darkened, background brightened (backlit)", backlight(im, face)


def main():
    out = Path(sys.argv[1])
    binary = sys.argv[sys.argv.index("--bin") + 1] if "--bin" in sys.argv else str(ROOT / "target/release/ekyc-preflight")
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    photos = {name: to_720(im) for name, im in sources(out).items()}
    for name, im in photos.items():
        im.save(out / f"{name}-original.png")
    run = subprocess.run([binary, "check", "--json", *[str(out / f"{n}-original.png") for n in photos]],
                         capture_output=True, text=True)
    faces = {Path(r["file"]).name.removesuffix("-original.png"): (r["faces"] or [None])[0]
             for r in json.loads(run.stdout)}
    for i, (name, im) in enumerate(sorted(photos.items())):
        part = "fit" if i % 2 == 0 else "held"
        for kind, label, reason, d in damages(im, i, faces.get(name)):
            path = out / f"{name}-{kind}.png"
            d.save(path)
            rows.append({"file": path.name, "photo": name, "part": part, "kind": kind, "label": label, "reason": reason})
    with open(out / "labels.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    run = subprocess.run([binary, "check", "--json", *[str(out / r["file"]) for r in rows]],
                         capture_output=True, text=True)
    reports = {Path(r["file"]).name: r for r in json.loads(run.stdout)}
    with open(out / "reports.json", "w") as f:
        json.dump(reports, f)
    print(f"{len(rows)} pictures in {out}; reports in reports.json")


if __name__ == "__main__":
    main()
