"""Turns a float graph (input NCHW or CHW float32, normalised) into one that takes the frames
as ffmpeg writes them: uint8, NHWC (or HWC), in the manifest's `colorOrder` (decode with
rgb24 for RGB, bgr24 for BGR). The normalisation and the layout change become the graph's
first nodes:

    images (uint8 [N, H, W, 3]) -> Cast(float) -> Mul(a) -> Add(b) -> Transpose([0, 3, 1, 2])
        -> the old graph, unchanged

with `a = scale / std[c]` and `b = -mean[c] / std[c]` per channel, computed in float64 as
src/inference/preprocess.ts does and then rounded to float32 (shape [3]: they broadcast over
the last axis). The graph input keeps its name and its dynamic batch dimension; the opset
and IR version stay those of the original. The manifest's input becomes
`"dtype": "uint8", "layout": "NHWC"` (or "HWC"); its scale, mean and std stay, as the record
of what the graph does inside. A graph whose input is already uint8 is refused.

Usage:
    /usr/bin/python3 models/training/uint8_input.py models/coco-maskrcnn            # in place
    /usr/bin/python3 models/training/uint8_input.py models/coco-maskrcnn --out /tmp/coco-u8

Example (as export.py does):
    spec = convert_file("models/x/model.onnx", manifest["input"])   # rewrites the file
    manifest["input"] = spec
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

import numpy as np

# Float layout -> (uint8 layout, the Transpose's perm back to the float layout).
LAYOUTS = {"NCHW": ("NHWC", [0, 3, 1, 2]), "CHW": ("HWC", [2, 0, 1])}
PREFIX = "/uint8_input"  # names of the prepended nodes, initializers and tensors
SCRIPT = "uint8_input.py"


def coefficients(spec: dict):
    """The per-channel `a = scale / std`, `b = -mean / std` of a manifest input (schema
    defaults for absent fields), computed in float64 and rounded to float32, as two float32
    arrays of shape [3]."""
    scale = float(spec.get("scale", 1 / 255))
    mean = [float(m) for m in spec.get("mean", [0, 0, 0])]
    std = [float(s) for s in spec["std"]]
    a = np.array([scale / s for s in std], dtype=np.float64)
    b = np.array([-m / s for m, s in zip(mean, std)], dtype=np.float64)
    return a.astype(np.float32), b.astype(np.float32)


def uint8_spec(spec: dict) -> dict:
    """The manifest input of the converted graph: dtype uint8, layout NHWC or HWC, every
    other field (and the key order) kept."""
    return {**spec, "layout": LAYOUTS[spec["layout"]][0], "dtype": "uint8"}


def check_spec(spec: dict, where: str) -> None:
    """Raises ValueError unless `spec` is a float32 NCHW / CHW manifest input."""
    dtype, layout = spec.get("dtype"), spec.get("layout")
    if dtype == "uint8" or layout in ("NHWC", "HWC"):
        raise ValueError(f"{where}: input: expected a float32 NCHW or CHW input to convert, "
                         f"found dtype {dtype!r}, layout {layout!r}: the graph already takes "
                         f"uint8 frames, nothing to do")
    if dtype != "float32" or layout not in LAYOUTS:
        raise ValueError(f"{where}: input: expected dtype 'float32' and layout 'NCHW' or "
                         f"'CHW', found dtype {dtype!r}, layout {layout!r}")
    if len(spec.get("std", [])) != 3 or any(s == 0 for s in spec["std"]):
        raise ValueError(f"{where}: input.std: expected 3 non-zero numbers, found "
                         f"{spec.get('std')!r}")


def graph_names(graph) -> set:
    """Every value name in `graph` and its subgraphs (inputs, initializers, node outputs)."""
    names = {v.name for v in graph.input} | {t.name for t in graph.initializer}
    for node in graph.node:
        names.update(node.input)
        names.update(node.output)
        for g in subgraphs(node):
            names |= graph_names(g)
    return names


def subgraphs(node):
    import onnx

    for attr in node.attribute:
        if attr.type == onnx.AttributeProto.GRAPH:
            yield attr.g
        elif attr.type == onnx.AttributeProto.GRAPHS:
            yield from attr.graphs


def rename_uses(graph, old: str, new: str) -> None:
    """Renames every use of `old` as a node input, in subgraphs too (outer-scope references),
    except in a subgraph that defines its own `old`."""
    for node in graph.node:
        for k, name in enumerate(node.input):
            if name == old:
                node.input[k] = new
        for g in subgraphs(node):
            defined = ({v.name for v in g.input} | {t.name for t in g.initializer}
                       | {o for n in g.node for o in n.output})
            if old not in defined:
                rename_uses(g, old, new)


def convert_model(model, spec: dict, where: str = "model"):
    """A copy of `model` (an onnx.ModelProto whose input `spec["name"]` is float32 in
    `spec["layout"]`) that takes uint8 NHWC / HWC frames, normalised by its first nodes.
    Raises ValueError, naming `where`, when the graph or `spec` cannot be converted."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    check_spec(spec, where)
    out = onnx.ModelProto()
    out.CopyFrom(model)
    graph = out.graph
    init = {t.name for t in graph.initializer}
    inputs = [v for v in graph.input if v.name not in init]
    found = [v for v in inputs if v.name == spec["name"]]
    if not found:
        raise ValueError(f"{where}: input.name: expected a graph input named {spec['name']!r}, "
                         f"found {[v.name for v in inputs]}")
    value = found[0]
    tensor = value.type.tensor_type
    if tensor.elem_type == TensorProto.UINT8:
        raise ValueError(f"{where}: graph input {value.name!r} is already uint8: it was "
                         f"converted before, nothing to do")
    if tensor.elem_type != TensorProto.FLOAT:
        raise ValueError(f"{where}: graph input {value.name!r}: expected float32, found "
                         f"{TensorProto.DataType.Name(tensor.elem_type)}")
    layout = spec["layout"]
    new_layout, perm = LAYOUTS[layout]
    dims = list(tensor.shape.dim)
    if len(dims) != len(layout):
        raise ValueError(f"{where}: graph input {value.name!r}: expected rank {len(layout)} "
                         f"({layout}), found rank {len(dims)}")
    wanted = {"C": 3, "H": spec["height"], "W": spec["width"]}
    for axis, dim in zip(layout, dims):
        if axis in wanted and dim.HasField("dim_value") and dim.dim_value != wanted[axis]:
            raise ValueError(f"{where}: graph input {value.name!r}: expected {axis} = "
                             f"{wanted[axis]} ({layout}, manifest height/width), found "
                             f"{dim.dim_value}")

    taken = graph_names(graph)
    inner = f"{PREFIX}/{value.name}_{layout.lower()}"
    names = {k: f"{PREFIX}/{k}_output_0" for k in ("Cast", "Mul", "Add")}
    a_name, b_name = f"{PREFIX}/a", f"{PREFIX}/b"
    clash = sorted(taken & {inner, a_name, b_name, *names.values()})
    if clash:
        raise ValueError(f"{where}: expected no value named {clash[0]!r} in the graph (the "
                         f"prepended nodes use the prefix {PREFIX}), found one")
    rename_uses(graph, value.name, inner)

    a, b = coefficients(spec)
    doc = (f"uint8 {new_layout} {spec.get('colorOrder', 'RGB')} frames to the float {layout} "
           f"input: (pixel * scale - mean) / std as pixel * a + b")
    nodes = [
        helper.make_node("Cast", [value.name], [names["Cast"]], name=f"{PREFIX}/Cast",
                         to=TensorProto.FLOAT, doc_string=doc),
        helper.make_node("Mul", [names["Cast"], a_name], [names["Mul"]], name=f"{PREFIX}/Mul"),
        helper.make_node("Add", [names["Mul"], b_name], [names["Add"]], name=f"{PREFIX}/Add"),
        helper.make_node("Transpose", [names["Add"]], [inner], name=f"{PREFIX}/Transpose",
                         perm=perm),
    ]
    old_nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes + old_nodes)
    constants = [numpy_helper.from_array(a, a_name), numpy_helper.from_array(b, b_name)]
    old_init = list(graph.initializer)
    del graph.initializer[:]
    graph.initializer.extend(constants + old_init)

    # The input itself: uint8, dims permuted (dim_param names such as "batch" kept).
    tensor.elem_type = TensorProto.UINT8
    order = [layout.index(axis) for axis in new_layout]
    permuted = [type(dims[0])() for _ in dims]
    for target, k in zip(permuted, order):
        target.CopyFrom(dims[k])
    del tensor.shape.dim[:]
    tensor.shape.dim.extend(permuted)

    onnx.checker.check_model(out)
    return out


def convert_file(model_path: str, spec: dict, out_path: str | None = None) -> dict:
    """Converts the graph at `model_path` (written to `out_path`, default in place) and
    returns the manifest input of the result (see uint8_spec)."""
    import onnx

    model = onnx.load(model_path)
    converted = convert_model(model, spec, where=model_path)
    onnx.save(converted, out_path or model_path)
    return uint8_spec(spec)


def convert_folder(folder: str, out: str | None = None) -> tuple:
    """Converts `folder`'s manifest.json and its graph (`file`) into `out` (default: in
    place; other files of the folder are copied). Returns (graph path, new input)."""
    manifest_path = os.path.join(folder, "manifest.json")
    try:
        with open(manifest_path) as f:
            manifest = json.load(f)
    except FileNotFoundError:
        raise ValueError(f"{folder}: expected a model folder with a manifest.json, "
                         f"found none") from None
    check_spec(manifest.get("input", {}), manifest_path)
    source = os.path.join(folder, manifest.get("file", "model.onnx"))
    target_folder = out or folder
    if out and os.path.abspath(out) != os.path.abspath(folder):
        os.makedirs(out, exist_ok=True)
        for entry in os.listdir(folder):
            path = os.path.join(folder, entry)
            if os.path.isfile(path) and entry != "manifest.json" and path != source:
                shutil.copy2(path, os.path.join(out, entry))
    target = os.path.join(target_folder, manifest.get("file", "model.onnx"))
    manifest["input"] = convert_file(source, manifest["input"], target)
    with open(os.path.join(target_folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return target, manifest["input"]


def main(argv=None):
    ap = argparse.ArgumentParser(description="Give a float NCHW / CHW model folder a uint8 "
                                 "NHWC / HWC input (normalisation inside the graph)")
    ap.add_argument("folder", help="model folder with manifest.json and its graph")
    ap.add_argument("--out", help="write the converted folder here (default: in place)")
    args = ap.parse_args(argv)
    from cli import require_onnx

    require_onnx(SCRIPT)
    try:
        path, spec = convert_folder(args.folder, args.out)
    except ValueError as e:
        sys.exit(f"{SCRIPT}: {e}")
    layout = spec["layout"]
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB): input {spec['name']!r} "
          f"uint8 {layout} {spec.get('colorOrder', 'RGB')} (decode frames as "
          f"{'bgr24' if spec.get('colorOrder') == 'BGR' else 'rgb24'}), and manifest.json")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
