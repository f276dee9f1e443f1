"""The parity fixture of the exported SOLOv2 graph: two held-out street frames, the outputs
the ONNX graph gives for them in onnxruntime-node (or the eager RawSolov2, the module that
was exported) and what SOLO's own post-processing (solov2_post.py) makes of those outputs,
in one small JSON file
(< 1.5 MB), so that a TypeScript test can run the graph in onnxruntime-node, compare its
outputs, run src/geometry/solov2_post.ts's solov2Postprocess on them and compare the
detections (scores within 1e-5). solov2_export.py writes it with `--fixture`.

Fields (arrays little-endian base64, as street_parity.json / keypoint_parity.json):
- model, size [H, W], maskSize [h, w] (the masks' resolution), numClasses (C), grids,
  strides (of the levels: solov2CellStrides(grids, strides)), solov2 (the manifest's block:
  the thresholds the graph and the reference used);
- frames: the input frames as base64 PNGs (H x W RGB, the uint8 NHWC batch of two once
  decoded);
- outputsFrom: "onnxruntime-node" (the exported graph run through ort_run.ts, what the
  TypeScript test runs too; `check` then has its largest differences from the eager PyTorch
  module: maxScoreDiff, maxMaskDiff, pointsNmsTies, ...) or "pytorch" (the eager module,
  when the export ran with --no-onnx-check);
- categoryScores: float32 [2, G, C], the graph's category_scores in full;
- count (K), maskCells, batchIndex (int32 [K]): the graph's mask_cells and batch_index in
  full; maskSums (float32 [K]): the sum of each soft mask; masksPerImage (m) and
  masksSample (float32 [2 * m, h, w]): the first m masks of each image in full (fewer when
  an image has fewer; masksSampleIndex, int32, their rows in `masks`);
- final[image]: SOLO's get_seg_single on that image's outputs (test_cfg from `solov2`):
  cells, planes (int32: the mask's row among the image's masks, as solov2Postprocess's
  maskIndex), classIds (int32, 0-based columns), labels (int32, class ids 1..C),
  scores (float32, after the maskness rescoring and Matrix NMS), maskBits (the binary
  masks at the mask resolution, solov2Postprocess's `masks`: bits, little-endian bit order,
  row-major, as tests/fixtures/single_stage/solov2.json), and SOLO's final masks at the input
  size (upsampled x4 bilinearly, > maskThreshold): areas (int32) and rle (COCO compressed
  RLE counts, column-major, as pycocotools writes them); ties (the number of equal scores
  among the kept: SOLO's argsort is not stable, solov2Postprocess's order is).

Example:
    write_fixture(raw, manifest, (288, 512), "tests/fixtures/models/solov2_parity.json")
"""

from __future__ import annotations

import base64
import io
import json
import os

import numpy as np
import torch
from PIL import Image

from dataset import rle_encode
from model import MEAN, STD
from onnx_export import normalise
from solov2_post import postprocess_batch
from world import Sequence

FIXTURE_SEEDS = [60301, 60302]  # held out: below the training seeds, not the demo's
MASKS_PER_IMAGE = 2


def b64(array, dtype) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode()


def bits(array) -> str:
    packed = np.packbits(np.asarray(array, bool).reshape(-1), bitorder="little")
    return base64.b64encode(packed.tobytes()).decode()


def png_b64(pixels: torch.Tensor) -> str:
    buf = io.BytesIO()
    Image.fromarray(pixels.permute(1, 2, 0).byte().numpy()).save(buf, "PNG", optimize=True)
    return base64.b64encode(buf.getvalue()).decode()


def street_pixels(size: tuple, seeds: list, frame: int = 3, noise: float | None = 0.0):
    """Frame `frame` of each street seed at the model size, [N, 3, H, W] floats 0..255
    (`noise`: the grain, small for small PNGs; None: the sequence's own)."""
    h, w = size
    frames = []
    for seed in seeds:
        seq = Sequence(seed)
        if noise is not None:
            seq.noise = noise
        img = Image.fromarray(seq.render(frame).image).resize((w, h), Image.BILINEAR)
        frames.append(torch.from_numpy(np.asarray(img).copy()).permute(2, 0, 1).float())
    return torch.stack(frames)


def test_cfg(block: dict) -> dict:
    """SOLO's test_cfg from the manifest's `solov2` block."""
    return dict(nms_pre=block["nmsPre"], score_thr=block["scoreThreshold"],
                mask_thr=block["maskThreshold"], update_thr=block["updateThreshold"],
                kernel=block["kernel"], sigma=block["sigma"], max_per_img=block["maxPerImage"])


def final_entry(result: dict) -> dict:
    scores = result["scores"].numpy().astype(np.float32)
    masks = result["masks"].numpy()
    return {
        "cells": result["cells"].tolist(), "planes": result["planes"].tolist(),
        "classIds": result["labels"].tolist(), "labels": (result["labels"] + 1).tolist(),
        "scores": b64(scores, np.float32), "maskBits": bits(result["binary"].numpy()),
        "areas": [int(m.sum()) for m in masks],
        "rle": [rle_encode(m)["counts"] for m in masks],
        "ties": int(len(scores) - len(np.unique(scores))),
    }


def write_fixture(raw, manifest: dict, size: tuple, path: str, run=None, compare=None) -> dict:
    """Writes the fixture of `raw` (the exported module) to `path`; returns it. `run(pixels)`
    gives the ONNX graph's outputs (solov2_exporter.graph_outputs): then they are what the
    fixture holds and post-processes, and `compare(raw, pixels, outputs)` their differences
    from the eager module's (stored as `check`); without it, the eager module's outputs."""
    block = manifest["solov2"]
    config = raw.model.config
    raw.eval()
    pixels = street_pixels(size, FIXTURE_SEEDS)
    check = None
    with torch.no_grad():
        if run is None:
            outputs = raw(normalise(pixels, MEAN, STD))
        else:
            outputs = run(pixels)
            check = compare(raw, pixels, outputs)
        results = postprocess_batch(outputs, test_cfg(block), config, size)
    scores, masks, cells, image = outputs
    sample = torch.cat([torch.where(image == b)[0][:MASKS_PER_IMAGE]
                        for b in range(len(FIXTURE_SEEDS))])
    out = {
        "model": manifest["name"], "size": list(size), "maskSize": list(masks.shape[-2:])
        if len(masks) else [size[0] // block["maskStride"], size[1] // block["maskStride"]],
        "numClasses": config["num_classes"], "grids": config["grids"],
        "strides": config["strides"], "solov2": block,
        "frames": [png_b64(p) for p in pixels],
        "categoryScores": b64(scores.numpy(), np.float32),
        "count": int(len(cells)), "maskCells": b64(cells.numpy(), np.int32),
        "batchIndex": b64(image.numpy(), np.int32),
        "maskSums": b64(masks.sum((1, 2)).numpy(), np.float32),
        "masksPerImage": MASKS_PER_IMAGE, "masksSampleIndex": b64(sample.numpy(), np.int32),
        "masksSample": b64(masks[sample].numpy(), np.float32),
        "final": [final_entry(r) for r in results],
        "outputsFrom": "pytorch" if run is None else "onnxruntime-node",
        **({} if check is None else {"check": check}),
    }
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    kept = [len(r["scores"]) for r in results]
    ties = sum(e["ties"] for e in out["final"])
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.2f} MB): {out['count']} masks, "
          f"{kept} detections per frame{f', {ties} tied scores' if ties else ''}")
    if os.path.getsize(path) > 1.5e6:
        print(f"warning: {path} is over 1.5 MB")
    return out


__all__ = ["write_fixture", "street_pixels", "test_cfg", "FIXTURE_SEEDS"]
