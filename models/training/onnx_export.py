"""Exporting a torchvision detector to ONNX, raw (dynamic batch, no final NMS) or standard
(torchvision's own post-processing inside, batch 1), with its manifest; and checking the
raw form against torchvision's own inference. Shared by `export.py` (our models) and
`models/export_torchvision.py` (any torchvision detection model).

Example:
    raw = RawDetector(model, (288, 512))
    check_against_torchvision(model, raw, images)       # raises if they disagree
    export_raw(raw, "models/street-maskrcnn/model.onnx")
"""

from __future__ import annotations

import inspect
import os
import sys
import warnings

import torch

from raw_export import RawDetector


# PyTorch 2.9+ defaults torch.onnx.export to the dynamo exporter; these graphs are traced.
TRACE = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}


def normalise(images: torch.Tensor, mean, std) -> torch.Tensor:
    """uint8-valued [N, 3, H, W] floats (0..255) to the model input, computed as the
    runtime does (src/inference/preprocess.ts): float64 coefficients a = (1/255)/std and
    b = -mean/std, the value rounded to float32 once."""
    a = torch.tensor([(1 / 255) / s for s in std], dtype=torch.float64)[None, :, None, None]
    b = torch.tensor([-m / s for m, s in zip(mean, std)], dtype=torch.float64)[None, :, None,
                                                                                None]
    return (images.double() * a + b).float()


def check_against_torchvision(model, raw: RawDetector, pixels: torch.Tensor, atol=1e-4,
                              compare_boxes=True):
    """Runs torchvision's own eval forward with its class NMS disabled (IoU 1.0 keeps every
    box; the raw detector's `candidate_nms` IoU where it has one) and the raw detector on the
    same batch; they must give the same candidates.
    Returns the largest box and score differences. `compare_boxes=False` compares only the
    counts and sorted scores (random weights tie most scores, so which box is cut at the
    top-k is arbitrary)."""
    heads = model.roi_heads
    saved = heads.nms_thresh
    heads.nms_thresh = getattr(raw, "reference_iou", 1.0)  # any callable raw detector
    try:
        with torch.no_grad():
            mean, std = model.transform.image_mean, model.transform.image_std
            expected = model([p / 255 for p in pixels])
            got = raw(normalise(pixels, mean, std))
    finally:
        heads.nms_thresh = saved
    boxes, scores, labels, image = got[:4]
    worst_box = worst_score = 0.0
    for i, e in enumerate(expected):
        sel = image == i
        if int(sel.sum()) != len(e["scores"]):
            raise AssertionError(f"image {i}: torchvision gives {len(e['scores'])} candidates, "
                                 f"the raw graph {int(sel.sum())}")
        if not sel.any():
            continue
        # Equal scores may come in either order: compare both sorted the same way.
        a = canonical(boxes[sel], scores[sel], labels[sel])
        b = canonical(e["boxes"], e["scores"], e["labels"])
        if not compare_boxes:
            worst_score = max(worst_score, float((a[1] - b[1]).abs().max()))
            continue
        if not torch.equal(a[2], b[2]):
            raise AssertionError(f"image {i}: labels differ")
        worst_box = max(worst_box, float((a[0] - b[0]).abs().max()))
        worst_score = max(worst_score, float((a[1] - b[1]).abs().max()))
    if worst_box > 1e-3 or worst_score > atol:
        raise AssertionError(f"raw and torchvision differ: boxes by {worst_box}, scores by "
                             f"{worst_score}")
    return worst_box, worst_score


def canonical(boxes, scores, labels):
    """Candidates sorted by decreasing score, then label and box (ties in a fixed order)."""
    keys = torch.cat([-scores[:, None].double(), labels[:, None].double(), boxes.double()], 1)
    order = sorted(range(len(keys)), key=lambda k: tuple(keys[k].tolist()))
    return boxes[order], scores[order], labels[order]


def export_raw(raw: RawDetector, path: str, opset: int = 11, batch: int = 2):
    """Traces the raw detector with `batch` images and exports it with a dynamic batch."""
    names = raw.output_names()
    example = torch.zeros(batch, 3, raw.height, raw.width)
    dynamic = {"images": {0: "batch"}, **{n: {0: "detections"} for n in names}}
    if "semantic_logits" in names:
        dynamic["semantic_logits"] = {0: "batch"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(raw, (example,), path, opset_version=opset, input_names=["images"],
                          output_names=names, dynamic_axes=dynamic, do_constant_folding=True,
                          **TRACE)
    return names


def export_standard(model, path: str, size: tuple, opset: int = 11):
    """torchvision's way: one [3, H, W] image in 0..1, NMS and mask pasting inside."""
    model.eval()
    names = ["boxes", "labels", "scores"]
    if getattr(model.roi_heads, "mask_head", None) is not None:
        names.append("masks")
    semantic = getattr(model, "semantic_head", None)
    model.semantic_head = None  # torchvision's forward never calls it; keep it out
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, ([torch.zeros(3, *size)],), path, opset_version=opset,
                              input_names=["image"], output_names=names,
                              dynamic_axes={n: {0: "detections"} for n in names}, **TRACE)
    finally:
        model.semantic_head = semantic
    return names


# The manifest's JSON Schema, as `$schema` names it from a folder models/<name>/.
MANIFEST_SCHEMA = "../../schemas/manifest.schema.json"


def manifest_dict(name, kind, size, names, raw, mean, std, classes, max_detections,
                  semantic=None, schema=MANIFEST_SCHEMA, **extra):
    """A manifest.json (docs/ARCHITECTURE.md, "The model contract") for a graph exported by `export_raw`
    (`raw`) or `export_standard`; `schema` is its `$schema` (the path of
    schemas/manifest.schema.json from the manifest's folder); `extra` fields (training,
    source) are appended."""
    out = {
        "$schema": schema,
        "format": "streamdet-model/1",
        "name": name,
        "kind": kind,
        "file": "model.onnx",
        "input": {"name": "images" if raw else "image", "layout": "NCHW" if raw else "CHW",
                  "dtype": "float32", "height": size[0], "width": size[1],
                  "batch": "dynamic" if raw else [1], "colorOrder": "RGB",
                  "scale": 1 / 255, "mean": list(mean) if raw else [0, 0, 0],
                  "std": list(std) if raw else [1, 1, 1]},
        "outputs": output_specs(names, raw, semantic=semantic),
        "postprocess": {"nmsInGraph": not raw, "boxesIn": "input", "maskActivation": "sigmoid"},
        "classes": classes,
        "defaults": {"scoreThreshold": 0.5, "nms": {"kind": "hard", "iouThreshold": 0.5},
                     "maxDetections": max_detections, "maskThreshold": 0.5},
        **extra,
    }
    if semantic is not None:
        out["semantic"] = {"classes": semantic, "stride": 4}
        out["defaults"]["panoptic"] = {"overlapThreshold": 0.5, "stuffAreaThreshold": 1024,
                                       "instanceScoreThreshold": 0.5}
    return out


def output_specs(names, raw: bool, mask_size: int = 28, semantic=None):
    """The manifest's `outputs`: name, role, dtype and shape of each graph output."""
    shapes = {
        "boxes": (["detections", 4], "float32"), "scores": (["detections"], "float32"),
        "labels": (["detections"], "int64"), "batch_index": (["detections"], "int64"),
        "mask_logits": (["detections", mask_size, mask_size], "float32"),
        "masks": (["detections", 1, "height", "width"], "float32"),
    }
    if semantic is not None:
        shapes["semantic_logits"] = (["batch", len(semantic), "height/4", "width/4"], "float32")
    return [{"name": n, "role": n, "dtype": shapes[n][1], "shape": shapes[n][0]} for n in names]
