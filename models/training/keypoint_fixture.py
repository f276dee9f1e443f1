"""The ONNX parity fixture of a raw keypoint graph: two held-out plaza frames and the
outputs PyTorch gives for them (the eager RawKeypointDetector, the module that was
exported), in one small JSON file, so that a TypeScript test can run the graph in
onnxruntime-node and compare, as tests/inference/model_parity.test.ts does for the street
model. keypoint_export.py writes it with `--fixture`.

Fields (arrays are little-endian base64, as street_parity.json):
- model, size [H, W], encoding ("heatmap" | "regression"), heatmapSize (heatmap only);
- frames: the input frames as base64 PNGs (H x W RGB; decode to the uint8 NHWC batch, e.g.
  `ffmpeg -f png_pipe -i - -f rawvideo -pix_fmt rgb24 -`);
- count, boxes (float32 D x 4), scores (float32 D), labels, batchIndex (int32 D): every
  candidate of the batch of two;
- heatmap heads: keypointMax (float32 D x 17, each map's largest logit), keypointArgmax
  (int32 D x 17, its cell y * S + x), keypointLogitsSample (float32: every
  `keypointLogitsStride`-th value of the first candidate's 17 x S x S logits, per image);
- regression head: keypoints (float32 D x 17 x 2, input pixels);
- final: what the runtime's post-processing of the graph's outputs must give, per frame:
  boxes, scores and keypoints (float32 n x 17 x 3: x, y and the keypoint score), with the
  score threshold, class NMS and detections per image used (scoreThreshold, iouThreshold,
  detections). Heatmap heads: torchvision's decoding of the same candidates
  (final_detections); the regression head, which torchvision cannot decode: the raw
  candidates through torchvision's `batched_nms` and the first `detections_per_img`, each
  keypoint as regressed with its detection's score (regression_final).

Example:
    write_fixture(raw, model, (288, 512), manifest, "tests/fixtures/models/keypoint_parity.json")
"""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import torch
from PIL import Image

from onnx_export import normalise

FIXTURE_SEEDS = [60101, 60102]  # held out: below the training seeds, not the demo's
STRIDE = 11


def b64(array, dtype) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode()


def png_b64(pixels: torch.Tensor) -> str:
    buf = io.BytesIO()
    Image.fromarray(pixels.permute(1, 2, 0).byte().numpy()).save(buf, "PNG", optimize=True)
    return base64.b64encode(buf.getvalue()).decode()


def final_detections(model, pixels: torch.Tensor, reference_iou: float = 1.0) -> dict:
    """torchvision's final detections and keypoints over the raw graph's candidates: its
    eval forward with the class NMS off (the candidates, with the keypoints torchvision
    decodes for each), then `batched_nms` at the model's IoU threshold and the first
    `detections_per_img`, as `postprocess_detections` finishes. The raw graph keeps the top
    `detections_per_img` candidates per image *before* the NMS (raw_export.py), where
    torchvision keeps them after it, so its own forward with the NMS on may find people
    beyond the first candidates; this is the same decoding on the same candidates (with the
    raw graph's `reference_iou` in the candidates' forward)."""
    from torchvision.ops import batched_nms

    heads = model.roi_heads
    saved = heads.nms_thresh
    heads.nms_thresh = reference_iou
    try:
        with torch.no_grad():
            candidates = model([p / 255 for p in pixels])
    finally:
        heads.nms_thresh = saved
    images = []
    for c in candidates:
        keep = batched_nms(c["boxes"], c["scores"], c["labels"], saved)[:heads.detections_per_img]
        keypoints = torch.cat([c["keypoints"][keep][..., :2],
                               c["keypoints_scores"][keep][..., None]], -1)
        images.append({"boxes": b64(c["boxes"][keep].numpy(), np.float32),
                       "scores": b64(c["scores"][keep].numpy(), np.float32),
                       "keypoints": b64(keypoints.numpy(), np.float32)})
    return {"scoreThreshold": heads.score_thresh, "iouThreshold": saved,
            "detections": heads.detections_per_img, "images": images}


def regression_final(model, boxes, scores, labels, image, keypoints, images: int,
                     size: tuple) -> dict:
    """The final people of a regression graph's candidates: per image, the candidates above
    the model's score threshold through `batched_nms` at its IoU and the first
    `detections_per_img`; keypoints as regressed, clipped to the frame (`size` H, W) as the
    runtime clips them, each with its detection's score."""
    from torchvision.ops import batched_nms

    heads = model.roi_heads
    out = []
    for i in range(images):
        sel = torch.where((image == i) & (scores >= heads.score_thresh))[0]
        keep = sel[batched_nms(boxes[sel], scores[sel], labels[sel], heads.nms_thresh)]
        keep = keep[:heads.detections_per_img]
        xy = torch.stack([keypoints[keep][..., 0].clamp(0, size[1]),
                          keypoints[keep][..., 1].clamp(0, size[0])], -1)
        kps = torch.cat([xy, scores[keep][:, None, None].expand(-1, 17, 1)], -1)
        out.append({"boxes": b64(boxes[keep].numpy(), np.float32),
                    "scores": b64(scores[keep].numpy(), np.float32),
                    "keypoints": b64(kps.numpy(), np.float32)})
    return {"scoreThreshold": heads.score_thresh, "iouThreshold": heads.nms_thresh,
            "detections": heads.detections_per_img, "images": out}


def write_fixture(raw, model, size: tuple, manifest: dict, path: str) -> dict:
    """Writes the fixture of `raw` (the exported module) to `path`; returns it."""
    from keypoint_exporter import plaza_pixels

    raw.eval()
    pixels = plaza_pixels(size, FIXTURE_SEEDS, noise=0.0)  # no grain: small PNGs
    with torch.no_grad():
        x = normalise(pixels, model.transform.image_mean, model.transform.image_std)
        boxes, scores, labels, image, head = raw(x)
    out = {
        "model": manifest["name"], "size": list(size),
        "encoding": manifest["keypoints"]["encoding"],
        "frames": [png_b64(p) for p in pixels],
        "count": int(scores.shape[0]),
        "boxes": b64(boxes.numpy(), np.float32), "scores": b64(scores.numpy(), np.float32),
        "labels": b64(labels.numpy(), np.int32), "batchIndex": b64(image.numpy(), np.int32),
    }
    if raw.regression:
        out["keypoints"] = b64(head.numpy(), np.float32)
        out["final"] = regression_final(model, boxes, scores, labels, image, head,
                                        len(FIXTURE_SEEDS), size)
    else:
        d, k, s, _ = head.shape
        flat = head.reshape(d, k, s * s)
        best, where = flat.max(-1) if d else (torch.zeros(0, k), torch.zeros(0, k))
        firsts = [torch.where(image == b)[0][:1] for b in range(len(FIXTURE_SEEDS))]
        sample = torch.cat([head[f].reshape(-1)[::STRIDE] for f in firsts])
        out.update({"heatmapSize": s, "keypointMax": b64(best.numpy(), np.float32),
                    "keypointArgmax": b64(where.numpy(), np.int32),
                    "keypointLogitsStride": STRIDE,
                    "keypointLogitsSample": b64(sample.numpy(), np.float32)})
        out["final"] = final_detections(model, pixels, raw.reference_iou)
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"wrote {path}: {out['count']} candidates over {len(FIXTURE_SEEDS)} frames")
    return out


__all__ = ["write_fixture", "FIXTURE_SEEDS"]
