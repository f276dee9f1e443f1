"""Ground truth from rendered plaza frames: COCO keypoint annotations, and training samples
at the model's input size.

Example:
    from pose_world import PlazaSequence
    frame = PlazaSequence(31).render(0)
    anns = keypoint_annotations(frame, image_id=1, first_id=1)
    image, boxes, keypoints, flags = pose_training_sample(frame, (288, 512), rng)

A person less than MIN_VISIBLE_FRACTION visible, or smaller than MIN_VISIBLE_PIXELS, is
left out of the training targets (flag -1) and annotated as crowd in the COCO file (iscrowd
1: ignored by COCO evaluation), as the street world's crowd instances are. A person whose
visible area is below 32 x 32 pixels keeps its box but no keypoint labels (num_keypoints 0,
keypoints all 0), as in COCO, whose annotators left small people's keypoints unlabelled and
whose keypoint evaluation has no "small" area range; the training set keeps their keypoints.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from pose_skeleton import PERSON_CATEGORY
from world import MIN_VISIBLE_FRACTION, MIN_VISIBLE_PIXELS

MAX_PEOPLE = 48  # rows per frame in the training arrays
SMALLEST_LABELLED_AREA = 32 * 32  # COCO: no keypoint labels below its "medium" area


def keypoint_annotations(frame, image_id: int, first_id: int) -> list:
    """COCO person keypoint annotations of one frame: bbox and area of the visible pixels,
    keypoints [x, y, v] x 17 (x, y rounded to 0.01 px; 0, 0, 0 outside the frame),
    num_keypoints (v > 0), track_id (the person across frames); iscrowd 1 for a person left
    out of training, and no keypoint labels below SMALLEST_LABELLED_AREA (see the module)."""
    out = []
    for k, p in enumerate(frame.people):
        labelled = p.area >= SMALLEST_LABELLED_AREA
        kps = []
        for x, y, v in p.keypoints.tolist():
            kps += [round(x, 2), round(y, 2), int(v)] if v > 0 and labelled else [0, 0, 0]
        out.append({"id": first_id + k, "image_id": image_id,
                    "category_id": PERSON_CATEGORY["id"], "track_id": p.track_id,
                    "iscrowd": 0 if trained(p) else 1, "area": p.area, "bbox": p.bbox,
                    "num_keypoints": p.num_keypoints if labelled else 0, "keypoints": kps})
    return out


def trained(person) -> bool:
    """Whether a person is a training target (visible enough) rather than left out."""
    return person.area >= MIN_VISIBLE_PIXELS and person.visible_fraction >= MIN_VISIBLE_FRACTION


def pose_training_sample(frame, size: tuple, rng: np.random.Generator, jpeg: bool = True):
    """The frame scaled to `size` (H, W) as the runtime's ffmpeg would (bilinear), maybe
    JPEG-degraded like a compressed stream, with its people at that size.

    Returns (image uint8 HxWx3, boxes float32 [MAX_PEOPLE, 4] x1 y1 x2 y2, keypoints float32
    [MAX_PEOPLE, 17, 3] x y v, flags int8 [MAX_PEOPLE]: 1 target, -1 left out, 0 no one)."""
    h, w = size
    fh, fw = frame.image.shape[:2]
    sx, sy = w / fw, h / fh
    img = Image.fromarray(frame.image).resize((w, h), Image.BILINEAR)
    if jpeg and rng.random() < 0.6:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=int(rng.integers(35, 95)))
        img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    boxes = np.zeros((MAX_PEOPLE, 4), np.float32)
    keypoints = np.zeros((MAX_PEOPLE, 17, 3), np.float32)
    flags = np.zeros(MAX_PEOPLE, np.int8)
    for i, p in enumerate(frame.people[:MAX_PEOPLE]):
        x, y, bw, bh = p.bbox
        boxes[i] = [x * sx, y * sy, (x + bw) * sx, (y + bh) * sy]
        keypoints[i] = p.keypoints
        keypoints[i, :, 0] *= sx
        keypoints[i, :, 1] *= sy
        flags[i] = 1 if trained(p) else -1
    return np.asarray(img), boxes, keypoints, flags


__all__ = ["keypoint_annotations", "pose_training_sample", "trained", "MAX_PEOPLE",
           "SMALLEST_LABELLED_AREA"]
