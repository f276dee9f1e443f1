"""The network: torchvision's MaskRCNN (and FasterRCNN) with a small backbone + FPN, sized
to train on 2 CPU cores, plus a Panoptic-FPN-style semantic head on the FPN features.

Example:
    model = build_model("maskrcnn", num_classes=5, semantic_classes=5, size=(224, 384))
    model.eval()
    detections, semantic = model([torch.rand(3, 224, 384)])

`ARCHITECTURES` lists the names `build_model` accepts; anything else raises ValueError.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models.detection import FasterRCNN, MaskRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.ops import MultiScaleRoIAlign
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool

from cli import ARCHITECTURES  # noqa: E402  (names checked before torch is imported)
FPN_CHANNELS = 64
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def conv_bn(cin: int, cout: int, stride: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class Block(nn.Module):
    """A strided conv then a residual 3x3 pair (a small ResNet-like stage)."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.down = conv_bn(cin, cout, 2)
        self.conv = nn.Sequential(nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        x = self.down(x)
        return F.relu(x + self.conv(x))


def small_body() -> nn.Module:
    return nn.Sequential(OrderedDict([
        ("stem", conv_bn(3, 16, 2)),  # /2
        ("layer1", Block(16, 32)),  # /4
        ("layer2", Block(32, 64)),  # /8
        ("layer3", Block(64, 96)),  # /16
        ("layer4", Block(96, 128)),  # /32
    ]))


def small_backbone() -> BackboneWithFPN:
    return BackboneWithFPN(small_body(), {"layer1": "0", "layer2": "1", "layer3": "2",
                                          "layer4": "3"}, [32, 64, 96, 128], FPN_CHANNELS,
                           extra_blocks=LastLevelMaxPool())


class SemanticHead(nn.Module):
    """Panoptic FPN's semantic branch, slimmed: one conv per level, upsampled to stride 4,
    summed, then a 1x1 classifier. Logits come out at stride 4 of the input."""

    def __init__(self, classes: int, channels: int = 32, levels: int = 4):
        super().__init__()
        self.levels = levels
        self.convs = nn.ModuleList(
            nn.Sequential(nn.Conv2d(FPN_CHANNELS, channels, 3, 1, 1, bias=False),
                          nn.GroupNorm(8, channels), nn.ReLU(inplace=True))
            for _ in range(levels))
        self.predictor = nn.Conv2d(channels, classes, 1)

    def forward(self, features: "OrderedDict[str, torch.Tensor]") -> torch.Tensor:
        feats = list(features.values())[: self.levels]
        size = feats[0].shape[-2:]
        x = self.convs[0](feats[0])
        for conv, f in zip(self.convs[1:], feats[1:]):
            x = x + F.interpolate(conv(f), size=size, mode="bilinear", align_corners=False)
        return self.predictor(x)


def build_model(arch: str, num_classes: int, semantic_classes: int, size: tuple,
                detections: int = 50, proposals: int = 100,
                mask_channels: tuple = (32,)) -> nn.Module:
    """A torchvision FasterRCNN / MaskRCNN with our backbone, a `semantic_head` attribute,
    and test-time settings sized for CPU (100 proposals, 50 detections per image)."""
    if arch not in ARCHITECTURES:
        raise ValueError(f"build_model(): arch: expected one of {', '.join(ARCHITECTURES)}, "
                         f"found {arch!r}")
    height, width = size
    anchors = AnchorGenerator(((16,), (32,), (64,), (128,), (256,)), ((0.5, 1.0, 2.0, 3.0),) * 5)
    common = dict(
        min_size=min(height, width), max_size=max(height, width), image_mean=MEAN, image_std=STD,
        rpn_anchor_generator=anchors,
        rpn_pre_nms_top_n_train=600, rpn_post_nms_top_n_train=300,
        rpn_pre_nms_top_n_test=300, rpn_post_nms_top_n_test=proposals,
        rpn_batch_size_per_image=128,
        box_roi_pool=MultiScaleRoIAlign(["0", "1", "2", "3"], 7, 2),
        box_head=TwoMLPHead(FPN_CHANNELS * 49, 256),
        box_predictor=FastRCNNPredictor(256, num_classes),
        box_batch_size_per_image=128, box_score_thresh=0.05,
        box_detections_per_img=detections,
    )
    if arch == "maskrcnn":
        model = MaskRCNN(small_backbone(), None, **common,
                         mask_roi_pool=MultiScaleRoIAlign(["0", "1", "2", "3"], 14, 2),
                         mask_head=MaskRCNNHeads(FPN_CHANNELS, list(mask_channels), 1),
                         mask_predictor=MaskRCNNPredictor(mask_channels[-1], mask_channels[-1],
                                                          num_classes))
    else:
        model = FasterRCNN(small_backbone(), None, **common)
    model.semantic_head = SemanticHead(semantic_classes)
    return model


def forward_with_semantic(model: nn.Module, images: list, targets: list | None = None,
                          semantic_targets: torch.Tensor | None = None):
    """GeneralizedRCNN.forward plus the semantic head. Training returns the loss dict
    (with `loss_semantic`); evaluation returns (detections, semantic logits at stride 4)."""
    original_sizes = [tuple(img.shape[-2:]) for img in images]
    image_list, targets = model.transform(images, targets)
    features = model.backbone(image_list.tensors)
    proposals, rpn_losses = model.rpn(image_list, features, targets)
    detections, roi_losses = model.roi_heads(features, proposals, image_list.image_sizes, targets)
    logits = model.semantic_head(features)
    if model.training:
        losses = {**rpn_losses, **roi_losses}
        if semantic_targets is not None:
            up = F.interpolate(logits, size=semantic_targets.shape[-2:], mode="bilinear",
                               align_corners=False)
            losses["loss_semantic"] = 0.5 * F.cross_entropy(up, semantic_targets.long(),
                                                            ignore_index=255)
        return losses
    detections = model.transform.postprocess(detections, image_list.image_sizes, original_sizes)
    return detections, logits
