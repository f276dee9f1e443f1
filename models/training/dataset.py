"""Ground truth from rendered frames: COCO instances, COCO panoptic (RLE segments), and
training samples at the model's input size.

Example:
    from world import Sequence
    frame = Sequence(3).render(0)
    anns = instance_annotations(frame, image_id=1, first_id=1)
    pan = panoptic_annotation(frame, image_id=1)

RLE strings are column-major and compressed exactly as pycocotools writes them, so
pycocotools, the project's `decodeRle` and `evaluateCoco` read them.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from world import CATEGORIES, Frame, SEMANTIC_CLASSES


def rle_encode(mask: np.ndarray) -> dict:
    """COCO compressed RLE of a binary H x W mask (pycocotools' `encode` + `toString`)."""
    h, w = mask.shape
    flat = np.asarray(mask, np.uint8).flatten(order="F")
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    counts = np.diff(bounds).tolist()
    if flat.size and flat[0] == 1:
        counts = [0] + counts
    chars = []
    for i, x in enumerate(counts):
        if i > 2:
            x -= counts[i - 2]
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = (x != -1) if (c & 0x10) else (x != 0)
            if more:
                c |= 0x20
            chars.append(chr(c + 48))
    return {"size": [h, w], "counts": "".join(chars)}


def instance_annotations(frame: Frame, image_id: int, first_id: int) -> list:
    """COCO instance annotations (RLE segmentation, bbox of the visible pixels)."""
    out = []
    for k, inst in enumerate(frame.instances):
        out.append({
            "id": first_id + k, "image_id": image_id, "category_id": inst.category,
            "iscrowd": inst.iscrowd, "area": inst.area, "bbox": inst.bbox,
            "segmentation": rle_encode(frame.instance_ids == inst.id),
        })
    return out


def panoptic_annotation(frame: Frame, image_id: int) -> dict:
    """One image's panoptic annotation: segments with RLE masks; thing segment ids are the
    instance ids (the crowd instances of a category merge into one crowd segment), stuff
    segment ids are 1000 + category id."""
    segments = []
    crowds = {}  # category -> its crowd instance ids: one crowd segment per category, as
    for inst in frame.instances:  # COCO panoptic (panopticapi keeps one per category)
        if inst.iscrowd:
            crowds.setdefault(inst.category, []).append(inst.id)
            continue
        segments.append({"id": inst.id, "category_id": inst.category, "iscrowd": 0,
                         "area": inst.area, "bbox": inst.bbox,
                         "segmentation": rle_encode(frame.instance_ids == inst.id)})
    for category, ids in crowds.items():
        mask = np.isin(frame.instance_ids, ids)
        ys, xs = np.nonzero(mask)
        segments.append({"id": ids[0], "category_id": category, "iscrowd": 1,
                         "area": int(mask.sum()),
                         "bbox": [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1),
                                  int(ys.max() - ys.min() + 1)],
                         "segmentation": rle_encode(mask)})
    free = frame.instance_ids == 0
    for cat in CATEGORIES:
        if cat["isthing"]:
            continue
        mask = free & (frame.stuff == cat["id"])
        area = int(mask.sum())
        if area == 0:
            continue
        ys, xs = np.nonzero(mask)
        bbox = [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1),
                int(ys.max() - ys.min() + 1)]
        segments.append({"id": 1000 + cat["id"], "category_id": cat["id"], "iscrowd": 0,
                         "area": area, "bbox": bbox, "segmentation": rle_encode(mask)})
    return {"image_id": image_id, "segments_info": segments}


def training_sample(frame: Frame, size: tuple, rng: np.random.Generator, jpeg: bool = True):
    """The frame scaled to `size` (H, W) as the runtime's ffmpeg would (bilinear), maybe
    JPEG-degraded like a compressed stream, with its targets at that size.

    Returns (image uint8 HxWx3, instance ids int16 HxW with crowd instances negated,
    categories int8 per instance id, semantic uint8 HxW as SEMANTIC_CLASSES indices)."""
    h, w = size
    img = Image.fromarray(frame.image).resize((w, h), Image.BILINEAR)
    if jpeg and rng.random() < 0.6:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=int(rng.integers(35, 95)))
        img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    ids = np.asarray(Image.fromarray(frame.instance_ids).resize((w, h), Image.NEAREST)).astype(
        np.int16)
    semantic = np.asarray(Image.fromarray(frame.semantic()).resize((w, h), Image.NEAREST))
    cats = np.zeros(256, np.int8)
    for inst in frame.instances:
        cats[inst.id] = inst.category
        if inst.iscrowd:
            ids[ids == inst.id] = -inst.id
    return np.asarray(img), ids, cats, semantic


def targets_from_ids(ids: np.ndarray, cats: np.ndarray, min_pixels: int = 6):
    """torchvision detection targets (boxes, labels, masks) from an id map: crowd (negative)
    ids and instances of fewer than `min_pixels` pixels are left out."""
    boxes, labels, masks = [], [], []
    for iid in np.unique(ids):
        if iid <= 0:
            continue
        m = ids == iid
        if m.sum() < min_pixels:
            continue
        ys, xs = np.nonzero(m)
        boxes.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
        labels.append(int(cats[iid]))
        masks.append(m)
    h, w = ids.shape
    return (np.asarray(boxes, np.float32).reshape(-1, 4), np.asarray(labels, np.int64),
            np.asarray(masks, np.uint8).reshape(-1, h, w))


__all__ = ["rle_encode", "instance_annotations", "panoptic_annotation", "training_sample",
           "targets_from_ids", "SEMANTIC_CLASSES"]
