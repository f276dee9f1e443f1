"""The exported SOLOv2 graph: the network (solov2_model.py) with the dynamic convolution
inside, for the cells worth a mask only, in a form that takes a dynamic batch.

Outputs (K cells over the whole batch, grouped by image, by decreasing best score):
- category_scores [N, G, C]: sigmoid, then SOLO's points_nms, cells row-major, levels
  concatenated (what SOLO's head gives in eval mode; the layout src/geometry/solov2_post.ts
  reads). Cells beyond the first `max_cells` of an image whose best score is above the
  threshold get 0 (so that every (cell, class) above the threshold has its mask);
- masks [K, H/4, W/4]: sigmoid(kernel . mask features) of the cells whose best category
  score is above `score_threshold`, at most `max_cells` per image, the best first
  (72 x 128 at 288 x 512; all G masks would be G x 72 x 128 floats, ~140 MB per image);
- mask_cells [K] int64: each mask's cell, 0..G-1 within its image;
- batch_index [K] int64: each mask's image.

Each image's best `max_cells` cells come from one top-k over [N, G], so the batch needs no
per-image loop; the kernels of those cells are gathered and multiplied with the image's
mask features in one batched matmul ([N, k, E] x [N, E, HW]), then the cells at or below the
threshold are dropped. Where more than `max_cells` cells of an image pass the threshold,
SOLO would keep them all and cut at nms_pre (500) (cell, class) candidates after the maskness
rescoring; here the cut is on cells, by category score, before it.

Example:
    raw = RawSolov2(model, score_threshold=0.1, max_cells=100).eval()
    category_scores, masks, mask_cells, batch_index = raw(normalised_images)
    export_solov2(raw, "/tmp/solov2/model.onnx")
"""

from __future__ import annotations

import warnings

import torch
from torch import nn

from onnx_export import TRACE
from solov2_model import category_scores, flat_kernels

OUTPUT_NAMES = ["category_scores", "masks", "mask_cells", "batch_index"]


class RawSolov2(nn.Module):
    """Wraps a Solov2 (put in eval mode) for export; the input is normalised [N, 3, H, W]."""

    def __init__(self, model: nn.Module, score_threshold: float = 0.1, max_cells: int = 100):
        super().__init__()
        self.model = model.eval()
        self.score_threshold = float(score_threshold)
        self.max_cells = int(max_cells)

    def forward(self, images: torch.Tensor):
        cates, kernels, features = self.model(images)
        scores = category_scores(cates)  # [N, G, C]
        kernel = flat_kernels(kernels)  # [N, G, E]
        n, g = scores.shape[0], scores.shape[1]
        e, hm, wm = features.shape[1], features.shape[2], features.shape[3]
        best = scores.max(-1)[0]  # [N, G]
        top, cells = best.topk(min(self.max_cells, g), dim=1)  # by decreasing score
        k = top.shape[1]
        chosen = torch.zeros_like(best).scatter(1, cells, torch.ones_like(top))
        scores = scores * ((chosen > 0) | (best <= self.score_threshold))[..., None].to(
            scores.dtype)
        picked = torch.gather(kernel, 1, cells[..., None].expand(-1, -1, e))  # [N, k, E]
        masks = torch.bmm(picked, features.reshape(n, e, hm * wm)).sigmoid()
        keep = torch.where(top.reshape(-1) > self.score_threshold)[0]
        masks = masks.reshape(-1, hm, wm)[keep]
        mask_cells = cells.reshape(-1)[keep]
        batch_index = torch.arange(n)[:, None].expand(n, k).reshape(-1)[keep]
        return scores, masks, mask_cells, batch_index


def output_specs(config: dict, size: tuple, stride: int) -> list:
    """The manifest's `outputs` of the graph."""
    g = sum(s * s for s in config["grids"])
    hm, wm = size[0] // stride, size[1] // stride
    shapes = {"category_scores": (["batch", g, config["num_classes"]], "float32"),
              "masks": (["cells", hm, wm], "float32"), "mask_cells": (["cells"], "int64"),
              "batch_index": (["cells"], "int64")}
    # The masks' role is "cell_masks" ("masks" is the role of input-size pasted masks).
    roles = {"masks": "cell_masks"}
    return [{"name": n, "role": roles.get(n, n), "dtype": shapes[n][1], "shape": shapes[n][0]}
            for n in OUTPUT_NAMES]


def export_solov2(raw: RawSolov2, path: str, size: tuple, opset: int = 11, batch: int = 2):
    """Traces `raw` with `batch` images of `size` (H, W) and writes the ONNX graph, with a
    dynamic batch (input `images`, float NCHW, normalised)."""
    example = torch.zeros(batch, 3, *size)
    dynamic = {"images": {0: "batch"}, "category_scores": {0: "batch"},
               **{n: {0: "cells"} for n in OUTPUT_NAMES[1:]}}
    raw.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(raw, (example,), path, opset_version=opset, input_names=["images"],
                          output_names=OUTPUT_NAMES, dynamic_axes=dynamic,
                          do_constant_folding=True, **TRACE)
    return OUTPUT_NAMES


__all__ = ["RawSolov2", "export_solov2", "output_specs", "OUTPUT_NAMES"]
