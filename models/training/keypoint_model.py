"""The keypoint network: torchvision's KeypointRCNN with the street Mask R-CNN's small
backbone + FPN (model.py), 2 classes (background, person) and 17 keypoints, and the keypoint
heads of the study.

Heads (`head`, `heatmap_size`):
- "heatmap", 56: torchvision's own KeypointRCNNPredictor (a stride-2 deconv from the 14x14
  RoI features to 28x28, then bilinear x2), heatmap logits [R, 17, 56, 56];
- "heatmap", 28: the same deconv without the upsampling, [R, 17, 28, 28];
- "regression": RoI features -> a stride-2 conv -> two fully connected layers -> [R, 17, 2]
  coordinates normalised to the RoI ((x - x1) / w, (y - y1) / h);
- "integral": integral regression (Sun et al., 2018): the 28x28 heatmap logits of the
  "heatmap", 28 head, a spatial softmax, and each keypoint's expected position under it
  (soft-argmax), [R, 17, 2] normalised to the RoI as "regression", trained with the same L1.
All four sit on the same conv stack (`head_channels`, 3x3 convs on the 14x14 RoI features).

Example:
    model = build_keypoint_model((288, 512), head="heatmap", heatmap_size=28)
    model.eval()
    out = model([torch.rand(3, 288, 512)])   # heatmap heads: torchvision's own inference
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models.detection import KeypointRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.keypoint_rcnn import KeypointRCNNHeads, KeypointRCNNPredictor
from torchvision.ops import MultiScaleRoIAlign

from model import FPN_CHANNELS, MEAN, STD, small_backbone

HEADS = ("heatmap", "regression", "integral")
#: The heads whose output is coordinates (trained with the L1 on them, exported as keypoints).
COORDINATE_HEADS = ("regression", "integral")
HEATMAP_SIZES = (28, 56)
NUM_KEYPOINTS = 17
DEFAULT_HEAD_CHANNELS = (64, 64, 64, 64)


class Heatmap28Predictor(nn.Module):
    """torchvision's KeypointRCNNPredictor without its final x2 upsampling: 28x28 logits."""

    def __init__(self, in_channels: int, num_keypoints: int):
        super().__init__()
        self.kps_score_lowres = nn.ConvTranspose2d(in_channels, num_keypoints, 4, stride=2,
                                                   padding=1)
        nn.init.kaiming_normal_(self.kps_score_lowres.weight, mode="fan_out", nonlinearity="relu")
        nn.init.constant_(self.kps_score_lowres.bias, 0)
        self.out_channels = num_keypoints

    def forward(self, x):
        return self.kps_score_lowres(x)


class RegressionPredictor(nn.Module):
    """RoI features [R, C, 14, 14] -> [R, K, 2] keypoint coordinates normalised to the RoI."""

    def __init__(self, in_channels: int, num_keypoints: int, hidden: int = 256):
        super().__init__()
        self.reduce = nn.Conv2d(in_channels, in_channels, 3, stride=2, padding=1)
        self.fc = nn.Linear(in_channels * 7 * 7, hidden)
        self.out = nn.Linear(hidden, num_keypoints * 2)
        nn.init.normal_(self.out.weight, std=1e-3)
        nn.init.constant_(self.out.bias, 0.5)  # the RoI's centre
        self.num_keypoints = num_keypoints

    def forward(self, x):
        x = F.relu(self.reduce(x))
        x = F.relu(self.fc(x.flatten(1)))
        return self.out(x).view(-1, self.num_keypoints, 2)


class IntegralPredictor(nn.Module):
    """RoI features [R, C, 14, 14] -> 28x28 heatmap logits (a stride-2 deconv) -> spatial
    softmax -> [R, K, 2] expected keypoint positions normalised to the RoI: cell i's centre
    is (i + 0.5) / 28, so a position is always inside the box."""

    def __init__(self, in_channels: int, num_keypoints: int, size: int = 28):
        super().__init__()
        self.kps_score_lowres = nn.ConvTranspose2d(in_channels, num_keypoints, 4, stride=2,
                                                   padding=1)
        nn.init.kaiming_normal_(self.kps_score_lowres.weight, mode="fan_out", nonlinearity="relu")
        nn.init.constant_(self.kps_score_lowres.bias, 0)
        self.register_buffer("centres", (torch.arange(size, dtype=torch.float32) + 0.5) / size,
                             persistent=False)
        self.num_keypoints = num_keypoints

    def forward(self, x):
        logits = self.kps_score_lowres(x)
        r, k, h, w = logits.shape
        p = F.softmax(logits.reshape(r, k, h * w), -1).reshape(r, k, h, w)
        x = (p.sum(2) * self.centres[:w]).sum(-1)
        y = (p.sum(3) * self.centres[:h]).sum(-1)
        return torch.stack([x, y], -1)


def keypoint_predictor(head: str, heatmap_size: int, channels: int) -> nn.Module:
    if head == "regression":
        return RegressionPredictor(channels, NUM_KEYPOINTS)
    if head == "integral":
        return IntegralPredictor(channels, NUM_KEYPOINTS)
    if heatmap_size == 56:
        return KeypointRCNNPredictor(channels, NUM_KEYPOINTS)
    return Heatmap28Predictor(channels, NUM_KEYPOINTS)


def build_keypoint_model(size: tuple, head: str = "heatmap", heatmap_size: int = 56,
                         head_channels: tuple = DEFAULT_HEAD_CHANNELS, detections: int = 50,
                         proposals: int = 100) -> KeypointRCNN:
    """A KeypointRCNN sized for CPU training at `size` (H, W) with the street model's
    backbone, anchors, RPN and box head settings (model.build_model)."""
    if head not in HEADS:
        raise ValueError(f"build_keypoint_model(): head: expected one of {', '.join(HEADS)}, "
                         f"found {head!r}")
    if head == "heatmap" and heatmap_size not in HEATMAP_SIZES:
        raise ValueError(f"build_keypoint_model(): heatmap_size: expected 28 or 56, found "
                         f"{heatmap_size!r}")
    height, width = size
    anchors = AnchorGenerator(((16,), (32,), (64,), (128,), (256,)), ((0.5, 1.0, 2.0, 3.0),) * 5)
    channels = list(head_channels)
    return KeypointRCNN(
        small_backbone(), None,
        min_size=min(height, width), max_size=max(height, width), image_mean=MEAN, image_std=STD,
        rpn_anchor_generator=anchors,
        rpn_pre_nms_top_n_train=600, rpn_post_nms_top_n_train=300,
        rpn_pre_nms_top_n_test=300, rpn_post_nms_top_n_test=proposals,
        rpn_batch_size_per_image=128,
        box_roi_pool=MultiScaleRoIAlign(["0", "1", "2", "3"], 7, 2),
        box_head=TwoMLPHead(FPN_CHANNELS * 49, 256),
        box_predictor=FastRCNNPredictor(256, 2),
        box_batch_size_per_image=128, box_score_thresh=0.05,
        box_detections_per_img=detections,
        keypoint_roi_pool=MultiScaleRoIAlign(["0", "1", "2", "3"], 14, 2),
        keypoint_head=KeypointRCNNHeads(FPN_CHANNELS, channels),
        keypoint_predictor=keypoint_predictor(head, heatmap_size, channels[-1]),
    )


def head_parameters(model: KeypointRCNN) -> list:
    """The parameters that heads-only training updates (keypoint conv stack + predictor)."""
    heads = model.roi_heads
    return list(heads.keypoint_head.parameters()) + list(heads.keypoint_predictor.parameters())


def config_of(args) -> dict:
    """The model configuration a checkpoint records (rebuilds the model at export)."""
    return {"head": args.head, "sigma": float(args.sigma), "heatmap_size": int(args.heatmap_size),
            "head_channels": [int(c) for c in args.head_channels.split(",")]}


def model_from_config(size: tuple, config: dict) -> KeypointRCNN:
    return build_keypoint_model(tuple(size), config["head"], config["heatmap_size"],
                                tuple(config["head_channels"]))


__all__ = ["build_keypoint_model", "head_parameters", "config_of", "model_from_config",
           "HEADS", "COORDINATE_HEADS", "HEATMAP_SIZES", "NUM_KEYPOINTS", "RegressionPredictor",
           "IntegralPredictor",
           "Heatmap28Predictor"]
