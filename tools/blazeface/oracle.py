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
  window_{face,noise}.f32
                     the full-range model given a 128 x 128 input (the window the
                     detector cuts around a hint, `Net::halved`): the graph's input, its
                     two zero-padding shapes and its four output reshapes halved in
                     each side; 224 logits then 224 x 16 regressors, as above
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


def inference(m):
    """An onnxruntime session for model `m`. ConstantOfShape without `value` means float32
    zero; some loaders want it spelled out, so it is."""
    for n in m.graph.node:
        if n.op_type == "ConstantOfShape" and not any(a.name == "value" for a in n.attribute):
            n.attribute.append(onnx.helper.make_attribute(
                "value", onnx.helper.make_tensor("value", onnx.TensorProto.FLOAT, [1], [0.0])))
    return ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])


def session(path):
    return inference(onnx.load(str(path)))


def halved_session(path):
    """The model for an input of half the side: a fully convolutional graph, so only the
    shapes written into it change (the input, the zeros its channel padding concatenates,
    the reshapes of the outputs to anchors)."""
    m = onnx.load(str(path))
    dims = m.graph.input[0].type.tensor_type.shape.dim
    dims[1].dim_value //= 2
    dims[2].dim_value //= 2
    consumers = {}
    for n in m.graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n.op_type)
    for init in m.graph.initializer:
        uses = consumers.get(init.name, [])
        if "ConstantOfShape" in uses:   # [1, c, h, w] of zeros
            v = onnx.numpy_helper.to_array(init).copy()
            v[2:] //= 2
            init.CopyFrom(onnx.numpy_helper.from_array(v, init.name))
        elif "Reshape" in uses:         # [1, anchors, k]
            v = onnx.numpy_helper.to_array(init).copy()
            v[1] //= 4
            init.CopyFrom(onnx.numpy_helper.from_array(v, init.name))
    del m.graph.value_info[:]
    for o in m.graph.output:
        o.type.tensor_type.shape.dim[1].dim_value //= 4
    return inference(m)


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
    sess = halved_session(src / "face_detection_back_256x256_barracuda.onnx")
    face = (small.astype(np.float32) / 127.5 - 1.0)[None]
    for tag, x in [("face", face), ("noise", noise(128 * 128 * 3).reshape(1, 128, 128, 3))]:
        y = run(sess, x.astype(np.float32))
        assert y.size == 224 * 17, y.size
        (OUT / f"window_{tag}.f32").write_bytes(y.tobytes())
        print("window", tag, "max score logit", y[:224].max())


if __name__ == "__main__":
    main()
