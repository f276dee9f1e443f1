"""The ONNX parity fixture of a raw FCOS / RetinaNet graph: two held-out street frames, a
sample of the raw outputs PyTorch gives for them (the eager RawSingleStage, the module that
was exported), the candidates torchvision's decoding picks from them, and torchvision's final
detections, in one small JSON file (< 1.5 MB), so that a TypeScript test can run the graph in
onnxruntime-node, compare its outputs, decode them with src/geometry/fcos_decode.ts /
retinanet_decode.ts and compare the detections. single_stage_export.py writes it with
`--fixture`.

Fields (arrays little-endian base64, as street_parity.json / keypoint_parity.json):
- model, kind ("fcos" | "retinanet"), size [H, W], numClasses (C);
- frames: the input frames as base64 PNGs (H x W RGB, the uint8 NHWC batch of two once
  decoded); the graph's inputs, normalised as src/inference/preprocess.ts does;
- outputs: name and shape [2, ...] of every graph output, in graph order;
- sampleStride (97) and samples: per output name, float32 values at flat indices 0, 97,
  194, ... of the [2, ...] output (row-major);
- candidates[image][level]: what torchvision's `postprocess_detections` keeps of that level
  before the class NMS (scores above scoreThreshold, the best topkCandidates, by decreasing
  score), at most candidateCap (1000, torchvision's default topk_candidates, so that a
  level's candidates are all there) of them: count (all of them, before the cap), anchor
  (int32, the row of the level's outputs), label (int32, the column), score (float32),
  logit (float32, cls_logits[anchor, label]), regression (float32 k x 4, the anchor's row),
  ctrness (float32, FCOS only);
- final: torchvision's eval forward (`model(images)`, its NMS and detections per image) on
  the frames: scoreThreshold, nmsThreshold, topkCandidates, detectionsPerImage, and per
  image boxes (float32 n x 4, input pixels), scores (float32), labels (int32);
- check: single_stage_raw.check_single_stage on the frames (torchvision's decoding of these
  raw outputs against its forward).

Example:
    write_fixture(raw, model, manifest, "tests/fixtures/models/fcos_parity.json")
"""

from __future__ import annotations

import base64
import io
import json
import os

import numpy as np
import torch
from PIL import Image

from onnx_export import normalise
from single_stage_raw import check_single_stage
from world import Sequence

FIXTURE_SEEDS = [60201, 60202]  # held out: below the training seeds, not the demo's
SAMPLE_STRIDE = 97
CANDIDATE_CAP = 1000  # torchvision's topk_candidates: every candidate of a level


def b64(array, dtype) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode()


def png_b64(pixels: torch.Tensor) -> str:
    buf = io.BytesIO()
    Image.fromarray(pixels.permute(1, 2, 0).byte().numpy()).save(buf, "PNG", optimize=True)
    return base64.b64encode(buf.getvalue()).decode()


def fixture_pixels(size: tuple, seeds: list = FIXTURE_SEEDS) -> torch.Tensor:
    """Frame 3 of each held-out street seed, little grain (small PNGs), at the model size:
    [N, 3, H, W] floats 0..255."""
    h, w = size
    frames = []
    for seed in seeds:
        seq = Sequence(seed)
        seq.noise = 2.0
        img = Image.fromarray(seq.render(3).image).resize((w, h), Image.BILINEAR)
        frames.append(torch.from_numpy(np.asarray(img).copy()).permute(2, 0, 1).float())
    return torch.stack(frames)


def level_candidates(model, cls, reg, ctr) -> dict:
    """One image's level as `postprocess_detections` selects it (its code, step by step)."""
    classes = cls.shape[-1]
    if ctr is None:
        scores = torch.sigmoid(cls).flatten()
    else:
        scores = torch.sqrt(torch.sigmoid(cls) * torch.sigmoid(ctr[:, None])).flatten()
    keep = scores > model.score_thresh
    picked, order = scores[keep].topk(min(int(keep.sum()), model.topk_candidates))
    flat = torch.where(keep)[0][order]
    count = int(flat.shape[0])
    picked, flat = picked[:CANDIDATE_CAP], flat[:CANDIDATE_CAP]
    anchor, label = torch.div(flat, classes, rounding_mode="floor"), flat % classes
    out = {"count": count, "anchor": b64(anchor.numpy(), np.int32),
           "label": b64(label.numpy(), np.int32), "score": b64(picked.numpy(), np.float32),
           "logit": b64(cls[anchor, label].numpy(), np.float32),
           "regression": b64(reg[anchor].numpy(), np.float32)}
    if ctr is not None:
        out["ctrness"] = b64(ctr[anchor].numpy(), np.float32)
    return out


def write_fixture(raw, model, manifest: dict, path: str) -> dict:
    """Writes the fixture of `raw` (the exported module) to `path`; returns it."""
    raw.eval()
    size = (raw.height, raw.width)
    pixels = fixture_pixels(size)
    with torch.no_grad():
        outputs = raw(normalise(pixels, model.transform.image_mean, model.transform.image_std))
        final = model([p / 255 for p in pixels])
    check = check_single_stage(model, raw, pixels)
    roles = raw.roles()
    candidates = []
    for image in range(len(pixels)):
        levels = []
        for level in range(len(raw.grids)):
            parts = [o[image] for o in outputs[level * len(roles):(level + 1) * len(roles)]]
            levels.append(level_candidates(model, parts[0], parts[1],
                                           parts[2] if raw.fcos else None))
        candidates.append(levels)
    out = {
        "model": manifest["name"], "kind": raw.kind, "size": list(size),
        "numClasses": raw.num_classes,
        "frames": [png_b64(p) for p in pixels],
        "outputs": [{"name": n, "shape": list(o.shape)}
                    for n, o in zip(raw.output_names(), outputs)],
        "sampleStride": SAMPLE_STRIDE,
        "samples": {n: b64(o.reshape(-1)[::SAMPLE_STRIDE].numpy(), np.float32)
                    for n, o in zip(raw.output_names(), outputs)},
        "candidateCap": CANDIDATE_CAP,
        "candidates": candidates,
        "final": {"scoreThreshold": float(model.score_thresh),
                  "nmsThreshold": float(model.nms_thresh),
                  "topkCandidates": int(model.topk_candidates),
                  "detectionsPerImage": int(model.detections_per_img),
                  "images": [{"boxes": b64(d["boxes"].numpy(), np.float32),
                              "scores": b64(d["scores"].numpy(), np.float32),
                              "labels": b64(d["labels"].numpy(), np.int32)} for d in final]},
        "check": check,
    }
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    counts = [len(d["scores"]) for d in final]
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.2f} MB): {counts} detections on "
          f"{len(FIXTURE_SEEDS)} frames")
    return out


__all__ = ["write_fixture", "fixture_pixels", "FIXTURE_SEEDS"]
