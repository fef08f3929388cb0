#!/usr/bin/env python3
"""Whole-process comparison of `ekyc-preflight prepare` with vipsthumbnail and Pillow.

Same inputs, same output spec (short side 720, portrait, JPEG quality 90, Base64 text),
runs interleaved and pinned to one core. Prints, per input and tool: median time, ratio to
vipsthumbnail, peak memory (/usr/bin/time -v), and the output's PSNR against a
full-resolution Lanczos reference. Then batch throughput of our command on 1 and 2 cores.

    cargo build --release && python3 benches/compare.py [--runs 15] [--batch-only]

Needs Pillow (`pip install pillow`); vipsthumbnail (`apt-get install libvips-tools`) and
djpeg (`libjpeg-turbo-progs`) are timed when installed.
"""
import argparse
import io
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from PIL import Image, ImageChops, ImageOps, ImageStat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OURS = os.path.join(ROOT, "target", "release", "ekyc-preflight")
PHOTO = os.path.join(ROOT, "testdata", "seeding-12mp-orientation6.jpg")

PILLOW_SCRIPT = r"""
import base64, sys
from PIL import Image, ImageOps
src, out = sys.argv[1], sys.argv[2]
im = Image.open(src)
w, h = im.size
# Draft to the smallest DCT scale still at least the target (720 on the short side).
short = min(w, h)
im.draft("RGB", (w * 720 // short, h * 720 // short))
im = ImageOps.exif_transpose(im).convert("RGB")
w, h = im.size
if w > h:
    im = im.transpose(Image.Transpose.ROTATE_270)
    w, h = h, w
scale = 720 / w
im = im.resize((720, round(h * scale)), Image.LANCZOS)
buf = __import__("io").BytesIO()
im.save(buf, "JPEG", quality=90)
open(out, "wb").write(buf.getvalue())
open(out + ".b64", "wb").write(base64.b64encode(buf.getvalue()))
"""


def make_inputs(tmp):
    """The committed 12 MP photo, its progressive and PNG variants, and a small photo."""
    src = Image.open(PHOTO)
    exif = src.getexif()
    full = src.convert("RGB")
    inputs = {"12mp_baseline": PHOTO}
    path = os.path.join(tmp, "12mp_progressive.jpg")
    full.save(path, "JPEG", quality=92, progressive=True, exif=exif)
    inputs["12mp_progressive"] = path
    path = os.path.join(tmp, "12mp.png")
    full.save(path, "PNG", exif=exif, compress_level=6)
    inputs["12mp_png"] = path
    path = os.path.join(tmp, "small_1280x960.jpg")
    full.resize((1280, 960), Image.LANCZOS).save(path, "JPEG", quality=92, exif=exif)
    inputs["1280x960"] = path
    return inputs


def reference(path):
    """Full-resolution decode, upright and portrait, for Lanczos to the output size."""
    im = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    if im.width > im.height:
        im = im.transpose(Image.Transpose.ROTATE_270)
    return im


def psnr(out_path, ref):
    out = Image.open(out_path).convert("RGB")
    ref = ref.resize(out.size, Image.LANCZOS)
    diff = ImageChops.difference(out, ref)
    sq = sum(ImageStat.Stat(diff).sum2)
    mse = sq / (out.width * out.height * 3)
    return float("inf") if mse == 0 else 10 * math.log10(255 ** 2 / mse)


def commands(inp, tmp, tag):
    out = {}
    o = os.path.join(tmp, f"ours-{tag}.jpg")
    out["ekyc-preflight"] = ([OURS, "prepare", inp, "-o", o, "--base64", o + ".b64"], o)
    if shutil.which("vipsthumbnail"):
        o = os.path.join(tmp, f"vips-{tag}.jpg")
        cmd = f"vipsthumbnail '{inp}' -s 720x -o '{o}[Q=90,strip]' && base64 -w0 '{o}' > '{o}.b64'"
        out["vipsthumbnail"] = (["sh", "-c", cmd], o)
        # vips turns chroma subsampling off at Q >= 90 (33% more bytes); at our settings:
        o = os.path.join(tmp, f"vips420-{tag}.jpg")
        cmd = (f"vipsthumbnail '{inp}' -s 720x -o '{o}[Q=90,strip,subsample-mode=on]'"
               f" && base64 -w0 '{o}' > '{o}.b64'")
        out["vipsthumbnail 4:2:0"] = (["sh", "-c", cmd], o)
    script = os.path.join(tmp, "pillow_prepare.py")
    with open(script, "w") as f:
        f.write(PILLOW_SCRIPT)
    o = os.path.join(tmp, f"pillow-{tag}.jpg")
    out["pillow"] = ([sys.executable, script, inp, o], o)
    if shutil.which("djpeg") and inp.endswith(".jpg"):
        out["djpeg -scale 1/8 (floor)"] = (["djpeg", "-scale", "1/8", "-outfile", os.devnull, inp], None)
    return out


def pinned(cmd):
    return ["taskset", "-c", "0"] + cmd if shutil.which("taskset") else cmd


def peak_rss_mib(cmd):
    if not os.path.exists("/usr/bin/time"):
        return float("nan")
    r = subprocess.run(["/usr/bin/time", "-v"] + pinned(cmd), capture_output=True, text=True)
    for line in r.stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.split()[-1]) / 1024
    return float("nan")


def batch_throughput(tmp, runs):
    """16 copies of the 12 MP photo through `prepare DIR --jobs N`: 1 job pinned to core 0
    against 2 jobs on cores 0 and 1, in pairs run back to back (the machine's speed drifts
    between pairs more than within one), into a fresh output directory every time.
    Prints the median time of each, the ratio of the medians and the median of the
    pairs' ratios, the CPU time (user + system) each used, and the machine's own 2-core
    ceiling, measured between the pairs."""
    batch = os.path.join(tmp, "batch")
    os.makedirs(batch)
    for i in range(16):
        shutil.copy(PHOTO, os.path.join(batch, f"p{i:02}.jpg"))
    # The control: a pure computation (SHA-256 of 64 MB in the page cache), one process
    # on core 0 against one on each core at once. Two busy vCPUs each run slower than one
    # (shared host core, clocks), which caps any program's 2-core speed-up at 2 / slowdown.
    blob = os.path.join(tmp, "control.bin")
    with open(blob, "wb") as f:
        f.write(os.urandom(64 << 20))
    sha = ["sha256sum", blob]

    def control():
        t = time.perf_counter()
        subprocess.run(["taskset", "-c", "0"] + sha, check=True, capture_output=True)
        alone = time.perf_counter() - t
        t = time.perf_counter()
        both = [subprocess.Popen(["taskset", "-c", c] + sha, stdout=subprocess.DEVNULL)
                for c in "01"]
        for p in both:
            p.wait()
        return (time.perf_counter() - t) / alone

    slowdown = []
    wall = {1: [], 2: []}
    cpu = {1: [], 2: []}
    for i in range(runs):
        slowdown.append(control())
        for jobs, cpus in [(1, "0"), (2, "0,1")]:
            out = os.path.join(tmp, f"bout{jobs}-{i}")
            before = os.times()
            t = time.perf_counter()
            subprocess.run(["taskset", "-c", cpus, OURS, "prepare", batch, "-o", out,
                            "--jobs", str(jobs)], check=True, capture_output=True)
            wall[jobs].append(time.perf_counter() - t)
            after = os.times()
            cpu[jobs].append(after.children_user - before.children_user
                             + after.children_system - before.children_system)
            shutil.rmtree(out)
    med = {jobs: statistics.median(times) for jobs, times in wall.items()}
    paired = statistics.median(a / b for a, b in zip(wall[1], wall[2]))
    print(f"\nbatch of 16 × 12 MP, {runs} pairs: 1 core {16 / med[1]:.1f} images/s, "
          f"2 cores {16 / med[2]:.1f} images/s; speed-up {med[1] / med[2]:.2f}× "
          f"(median of the pairs' ratios {paired:.2f}×); CPU time per image "
          f"{statistics.median(cpu[1]) / 16 * 1000:.1f} ms on 1 core, "
          f"{statistics.median(cpu[2]) / 16 * 1000:.1f} ms on 2")
    print(f"control (sha256sum, one process per core): each runs "
          f"{statistics.median(slowdown):.3f}× as long as one alone, so this machine's "
          f"ceiling was {2 / statistics.median(slowdown):.2f}×")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--batch-only", action="store_true", help="only the batch throughput")
    args = ap.parse_args()
    if not os.path.exists(OURS):
        sys.exit("build first: cargo build --release")
    tmp = tempfile.mkdtemp(prefix="ekyc-compare-")
    inputs = {} if args.batch_only else make_inputs(tmp)
    print(f"runs per command: {args.runs}, interleaved, pinned to core 0; times are medians\n")
    print("| input | tool | median ms | × vips | peak MiB | PSNR dB | bytes |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for name, inp in inputs.items():
        cmds = commands(inp, tmp, name)
        times = {k: [] for k in cmds}
        for _ in range(2):  # warm the page cache
            for cmd, _o in cmds.values():
                subprocess.run(pinned(cmd), check=True, capture_output=True)
        for _ in range(args.runs):
            for k, (cmd, _o) in cmds.items():
                t = time.perf_counter()
                subprocess.run(pinned(cmd), check=True, capture_output=True)
                times[k].append((time.perf_counter() - t) * 1000)
        ref = reference(inp)
        vips = statistics.median(times["vipsthumbnail"]) if "vipsthumbnail" in times else None
        for k, (cmd, o) in cmds.items():
            med = statistics.median(times[k])
            ratio = f"{med / vips:.2f}" if vips else "–"
            q = f"{psnr(o, ref):.2f}" if o else "–"
            size = os.path.getsize(o) if o else "–"
            print(f"| {name} | {k} | {med:.1f} | {ratio} | {peak_rss_mib(cmd):.1f} | {q} | {size} |")
    batch_throughput(tmp, args.runs)
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
