"""torchvision's FCOS / RetinaNet inference stopped at the head: the raw graph the runtime
decodes itself (src/geometry/fcos_decode.ts, retinanet_decode.ts), and the check that
torchvision's own decoding of those raw outputs is its eval forward.

The wrapper takes the normalised [N, 3, H, W] batch (dynamic N) and runs the backbone and
the head one FPN level at a time, so each level is its own output, in the layout of
torchvision's heads after their permute and reshape (anchors location-major,
`(y * W + x) * A + a`, as `anchorsForLevel` orders them), nothing decoded:

- `cls_logits_<i>` [N, H_i * W_i * A, C]: class logits (column c is label c);
- `bbox_regression_<i>` [N, H_i * W_i * A, 4]: RetinaNet's BoxCoder deltas (dx, dy, dw, dh,
  weights 1) or FCOS's distances (l, t, r, b) over the anchor size, after its ReLU;
- FCOS only, `bbox_ctrness_<i>` [N, H_i * W_i]: centerness logits (torchvision's trailing 1
  dropped).

Outputs come level by level: cls_logits_0, bbox_regression_0[, bbox_ctrness_0], ..._1, ...
The input size must be one torchvision neither resizes nor pads (min_size / max_size the
input's, both sides multiples of its size_divisible, 32).

Example:
    raw = RawSingleStage(model, (288, 512))
    outputs = raw(images)                      # normalised NCHW
    detections = decode(model, raw, outputs)   # torchvision's postprocess_detections
    report = check_single_stage(model, raw, pixels)   # raises if they disagree
"""

from __future__ import annotations

import torch
from torch import nn
from torchvision.models.detection import FCOS
from torchvision.models.detection.image_list import ImageList

from onnx_export import canonical, normalise


class RawSingleStage(nn.Module):
    """Wraps a torchvision FCOS or RetinaNet (put in eval mode) for raw, dynamic-batch
    export; `size` is the fixed (H, W) of the input."""

    def __init__(self, model: nn.Module, size: tuple):
        super().__init__()
        self.model = model.eval()
        self.fcos = isinstance(model, FCOS)
        self.kind = "fcos" if self.fcos else "retinanet"
        self.height, self.width = size
        divisible = model.transform.size_divisible
        if self.height % divisible or self.width % divisible:
            raise ValueError(f"RawSingleStage(): size: expected multiples of {divisible} "
                             f"(torchvision pads to them), found {self.height}x{self.width}")
        with torch.no_grad():
            features = model.backbone(torch.zeros(1, 3, self.height, self.width))
        self.grids = [(int(f.shape[-2]), int(f.shape[-1])) for f in features.values()]
        self.anchors_per_location = model.anchor_generator.num_anchors_per_location()
        self.num_classes = int(model.head.classification_head.num_classes)

    def roles(self) -> list:
        return ["cls_logits", "bbox_regression"] + (["bbox_ctrness"] if self.fcos else [])

    def output_names(self) -> list:
        return [f"{role}_{i}" for i in range(len(self.grids)) for role in self.roles()]

    def output_shapes(self) -> list:
        """Each output's shape, "batch" for the dynamic first axis."""
        shapes = []
        for (h, w), a in zip(self.grids, self.anchors_per_location):
            shapes += [["batch", h * w * a, self.num_classes], ["batch", h * w * a, 4]]
            if self.fcos:
                shapes.append(["batch", h * w])
        return shapes

    def strides(self) -> list:
        """torchvision's anchor stride of each level, (padded size // feature size) per axis."""
        return [(self.height // h, self.width // w) for h, w in self.grids]

    def forward(self, images: torch.Tensor):
        outputs = []
        for feature in self.model.backbone(images).values():
            head = self.model.head([feature])
            outputs += [head["cls_logits"], head["bbox_regression"]]
            if self.fcos:
                outputs.append(head["bbox_ctrness"].squeeze(2))
        return tuple(outputs)


def anchors_of(model: nn.Module, raw: RawSingleStage, n: int) -> list:
    """The model's anchors for a batch of `n` inputs, as its forward makes them."""
    h, w = raw.height, raw.width
    images = ImageList(torch.zeros(n, 3, h, w), [(h, w)] * n)
    features = [torch.zeros(n, 1, gh, gw) for gh, gw in raw.grids]
    return model.anchor_generator(images, features)


def decode(model: nn.Module, raw: RawSingleStage, outputs) -> list:
    """torchvision's own decoding of the raw outputs: the levels concatenated and split
    again, and the anchors split, as FCOS / RetinaNet `forward` do in eval, then their
    `postprocess_detections` and `transform.postprocess` (boxes in input pixels)."""
    roles = raw.roles()
    n = outputs[0].shape[0]
    counts = [h * w * a for (h, w), a in zip(raw.grids, raw.anchors_per_location)]
    head = {}
    for k, role in enumerate(roles):
        levels = list(outputs[k::len(roles)])
        if role == "bbox_ctrness":
            levels = [v[..., None] for v in levels]  # torchvision's [N, HWA, 1]
        head[role] = list(torch.cat(levels, 1).split(counts, dim=1))
    split_anchors = [list(a.split(counts)) for a in anchors_of(model, raw, n)]
    sizes = [(raw.height, raw.width)] * n
    with torch.no_grad():
        detections = model.postprocess_detections(head, split_anchors, sizes)
        return model.transform.postprocess(detections, sizes, sizes)


def check_single_stage(model: nn.Module, raw: RawSingleStage, pixels: torch.Tensor,
                       atol: float = 1e-4, compare_boxes: bool = True) -> dict:
    """Checks the raw outputs against torchvision's eval forward on `pixels` ([N, 3, H, W]
    floats 0..255), two ways, and returns what it measured (raises AssertionError if they
    disagree):

    1. exact: the raw module on torchvision's own normalised batch (`model.transform`),
       decoded by `decode`, gives the very detections of `model(images)`: same count,
       order, boxes, scores and labels, bit for bit;
    2. as the runtime feeds it: on the batch normalised as src/inference/preprocess.ts does
       (`normalise`), the raw outputs differ from 1.'s by float rounding only (largest
       |difference| returned), and their decoding gives the same detections up to `atol`
       in score and 1e-3 px in box (sorted the same way; `compare_boxes=False` compares the
       counts and sorted scores only, for random weights that tie scores).
    """
    images = [p / 255 for p in pixels]
    with torch.no_grad():
        expected = model(images)
        batch = model.transform(images)[0].tensors
        if tuple(batch.shape[-2:]) != (raw.height, raw.width):
            raise AssertionError(f"torchvision resized or padded the input to "
                                 f"{tuple(batch.shape[-2:])}, not {raw.height}x{raw.width}")
        exact = raw(batch)
        runtime = raw(normalise(pixels, model.transform.image_mean, model.transform.image_std))
    for i, (e, g) in enumerate(zip(expected, decode(model, raw, exact))):
        for key in ("boxes", "scores", "labels"):
            if not torch.equal(e[key], g[key]):
                raise AssertionError(f"image {i}: {key}: torchvision's decoding of the raw "
                                     f"outputs differs from its eval forward")
    worst_raw = max(float((a - b).abs().max()) for a, b in zip(exact, runtime))
    worst_box = worst_score = 0.0
    for i, (e, g) in enumerate(zip(expected, decode(model, raw, runtime))):
        if len(e["scores"]) != len(g["scores"]):
            raise AssertionError(f"image {i}: torchvision gives {len(e['scores'])} detections, "
                                 f"the raw outputs normalised as the runtime does "
                                 f"{len(g['scores'])}")
        if not len(e["scores"]):
            continue
        a = canonical(g["boxes"], g["scores"], g["labels"])
        b = canonical(e["boxes"], e["scores"], e["labels"])
        worst_score = max(worst_score, float((a[1] - b[1]).abs().max()))
        if compare_boxes:
            if not torch.equal(a[2], b[2]):
                raise AssertionError(f"image {i}: labels differ")
            worst_box = max(worst_box, float((a[0] - b[0]).abs().max()))
    if worst_box > 1e-3 or worst_score > atol:
        raise AssertionError(f"raw (normalised as the runtime does) and torchvision differ: "
                             f"boxes by {worst_box}, scores by {worst_score}")
    return {"detections": sum(len(e["scores"]) for e in expected), "rawDiff": worst_raw,
            "boxDiff": worst_box if compare_boxes else None, "scoreDiff": worst_score}


__all__ = ["RawSingleStage", "decode", "anchors_of", "check_single_stage"]
