#!/usr/bin/env python3
"""Reference outputs of the BlazeFace ONNX models from onnxruntime, for the Rust test
`check::face::tests::agrees_with_onnxruntime`.

Usage: python3 tools/blazeface/oracle.py /path/to/package/ONNX

Writes under tests/fixtures/blazeface/:
  astronaut128.rgb   testdata/faces/astronaut.jpg (512 x 512) box-averaged 4 x 4 to
                     128 x 128, packed 8-bit RGB (the short-range input; the full-range
                     input is the same picture with each pixel doubled to 256 x 256)
  {short,full}_{face,noise}.f32
                     little-endian f32: 896 score logits (Identity then Identity_1),
                     then 896 x 16 regressors (Identity_2 then Identity_3)
The network input is NHWC, value = byte / 127.5 - 1. The "noise" input is
`noise(n)` below (an LCG the Rust test repeats), already in -1..1.
"""
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/fixtures/blazeface"


def noise(n):
    """n values in [-1, 1): state = state * 1664525 + 1013904223 (mod 2^32), top 24 bits."""
    out = np.empty(n, np.float32)
    s = 12345
    for i in range(n):
        s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
        out[i] = (s >> 8) / float(1 << 23) - 1.0
    return out


def session(path):
    m = onnx.load(str(path))
    # ConstantOfShape without `value` means float32 zero; some loaders want it spelled out.
    for n in m.graph.node:
        if n.op_type == "ConstantOfShape" and not any(a.name == "value" for a in n.attribute):
            n.attribute.append(onnx.helper.make_attribute(
                "value", onnx.helper.make_tensor("value", onnx.TensorProto.FLOAT, [1], [0.0])))
    return ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])


def run(sess, x):
    outs = sess.run(["Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0"], {"input:0": x})
    s = np.concatenate([outs[0].reshape(-1), outs[1].reshape(-1)])
    r = np.concatenate([outs[2].reshape(-1), outs[3].reshape(-1)])
    return np.concatenate([s, r]).astype("<f4")


def main():
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/bf/package/ONNX")
    OUT.mkdir(parents=True, exist_ok=True)
    im = np.asarray(Image.open(ROOT / "testdata/faces/astronaut.jpg").convert("RGB"), np.float64)
    assert im.shape == (512, 512, 3)
    small = im.reshape(128, 4, 128, 4, 3).mean(axis=(1, 3))
    small = np.floor(small + 0.5).clip(0, 255).astype(np.uint8)
    (OUT / "astronaut128.rgb").write_bytes(small.tobytes())
    for name, onnx_name, size in [("short", "face_detection_front_128x128_barracuda.onnx", 128),
                                  ("full", "face_detection_back_256x256_barracuda.onnx", 256)]:
        sess = session(src / onnx_name)
        face = small.repeat(size // 128, axis=0).repeat(size // 128, axis=1)
        face = (face.astype(np.float32) / 127.5 - 1.0)[None]
        nz = noise(size * size * 3).reshape(1, size, size, 3)
        for tag, x in [("face", face), ("noise", nz)]:
            y = run(sess, x.astype(np.float32))
            (OUT / f"{name}_{tag}.f32").write_bytes(y.tobytes())
            print(name, tag, "max score logit", y[:896].max(), "sigmoid", 1 / (1 + np.exp(-y[:896].max())))


if __name__ == "__main__":
    main()
