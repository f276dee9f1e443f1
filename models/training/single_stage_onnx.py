"""ONNX export and manifest of a raw FCOS / RetinaNet graph (single_stage_raw.py), shared by
single_stage_export.py (our street models) and models/export_torchvision.py (torchvision's).

The manifest is the street manifest's (onnx_export.manifest_dict: input, classes, defaults;
no mask fields) with kind "fcos" or "retinanet" (not in schemas/manifest.schema.json yet),
one output per role and level, and a `singleStage` block with what decoding needs:

    "outputs": [{"name": "cls_logits_0", "role": "cls_logits", "dtype": "float32",
                 "shape": ["batch", 9216, 5], "level": 0}, ...],
    "singleStage": {
        "levels": [{"stride": [4, 4], "height": 72, "width": 128}, ...],
        "anchorSizes": [[4], ...], "aspectRatios": [[1.0], ...], "numClasses": 5,
        "scoreThreshold": 0.2, "nmsThreshold": 0.6, "topkCandidates": 1000,
        "detectionsPerImage": 100}

`stride` is torchvision's anchor stride, [height, width]: the input size // the level's size
per axis (src/geometry/anchors.ts `anchorStride`), which need not be the nominal stride (a
288x512 input's 5x8 stride-64 level gets [57, 64]). `numClasses` is C, the columns of
cls_logits; column c is label c, the manifest's class id c (column 0, torchvision's
background, is never a trained class). The thresholds and counts are the model's, those of
torchvision's `postprocess_detections`.

Example:
    names = export_single_stage(raw, "/tmp/fcos/model.onnx")
    manifest = single_stage_manifest("fcos", raw, model, classes, schema="../x.json")
"""

from __future__ import annotations

import warnings

import torch

from onnx_export import TRACE, manifest_dict


def export_single_stage(raw, path: str, opset: int = 11, batch: int = 2) -> list:
    """Traces `raw` (a RawSingleStage, eval) with `batch` zero images and writes the graph:
    input `images` and every output with a dynamic first axis, "batch", and its other axes
    fixed (the level's rows and columns: the exporter's shape inference leaves them symbolic
    after the heads' Concat, so they are written in), so that a manifest whose levels are
    not the graph's is refused when the model loads."""
    import onnx

    names = raw.output_names()
    example = torch.zeros(batch, 3, raw.height, raw.width)
    dynamic = {"images": {0: "batch"}, **{n: {0: "batch"} for n in names}}
    raw.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(raw, (example,), path, opset_version=opset, input_names=["images"],
                          output_names=names, dynamic_axes=dynamic, do_constant_folding=True,
                          **TRACE)
    graph = onnx.load(path)
    shapes = dict(zip(names, raw.output_shapes()))
    for output in graph.graph.output:
        dims = output.type.tensor_type.shape.dim
        for d, size in enumerate(shapes[output.name]):
            if d > 0:
                dims[d].Clear()
                dims[d].dim_value = int(size)
    onnx.checker.check_model(graph)
    onnx.save(graph, path)
    return names


def output_specs(raw) -> list:
    """The manifest's `outputs`: name, role, dtype, shape and level of each graph output."""
    roles = raw.roles()
    return [{"name": name, "role": roles[k % len(roles)], "dtype": "float32", "shape": shape,
             "level": k // len(roles)}
            for k, (name, shape) in enumerate(zip(raw.output_names(), raw.output_shapes()))]


def number(value):
    """An int for whole numbers (anchor sizes), else the float."""
    return int(value) if float(value).is_integer() else float(value)


def single_stage_block(model, raw) -> dict:
    """The manifest's `singleStage` block (see the module's docstring)."""
    generator = model.anchor_generator
    return {
        "levels": [{"stride": list(s), "height": h, "width": w}
                   for s, (h, w) in zip(raw.strides(), raw.grids)],
        "anchorSizes": [[number(v) for v in sizes] for sizes in generator.sizes],
        "aspectRatios": [[float(v) for v in ratios] for ratios in generator.aspect_ratios],
        "numClasses": raw.num_classes,
        "scoreThreshold": float(model.score_thresh),
        "nmsThreshold": float(model.nms_thresh),
        "topkCandidates": int(model.topk_candidates),
        "detectionsPerImage": int(model.detections_per_img),
    }


def single_stage_manifest(name: str, raw, model, classes: list, schema: str, **extra) -> dict:
    """The manifest.json of a raw single-stage graph; `extra` fields (training, source) go
    last, as in the street manifests."""
    transform = model.transform
    out = manifest_dict(name, raw.kind, (raw.height, raw.width), [], True, transform.image_mean,
                        transform.image_std, classes, int(model.detections_per_img),
                        schema=schema)
    out["outputs"] = output_specs(raw)
    del out["postprocess"]["maskActivation"]
    del out["defaults"]["maskThreshold"]
    out["singleStage"] = single_stage_block(model, raw)
    # The runtime's class-aware NMS is the decoding's: the model's own IoU threshold.
    out["defaults"]["nms"] = {"kind": "hard", "iouThreshold": out["singleStage"]["nmsThreshold"]}
    out.update(extra)
    return out


__all__ = ["export_single_stage", "output_specs", "single_stage_block", "single_stage_manifest"]
