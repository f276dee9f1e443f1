"""The COCO person skeleton and the body model of the synthetic plaza's walkers.

COCO's 17 keypoints in COCO's order, its 19 skeleton pairs (1-based, as COCO writes them),
the left/right flip permutation and COCO's per-keypoint OKS sigmas; and `body_points`, the
3-D points of one person's joints at one instant of a walk (or a standing / waving pose) in
the body frame, which `project` turns into image coordinates for any facing direction.

Body frame: `l` towards the person's own right, `f` forwards, `u` up, in units of the
person's height, feet on the ground (u = 0). Camera frame: X to the image's right, Z towards
the camera. A person facing the camera (phi = 0) has their right side on the image's left;
seen from behind (phi = pi) it is on the image's right; walking to the image's right
(phi = pi/2) their right side is the near one.

Example:
    pts = body_points(Body(), pose=WALK, phase=0.3)
    xy, z = project(pts, phi=math.pi, foot=(320, 300), h_px=120, depth_gain=0.2)
    xy[KEYPOINTS.index("left_wrist")]     # image (x, y) in PIL's pixel-centre convention

Only numpy is needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

KEYPOINTS = [
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
]
# COCO's person skeleton: pairs of 1-based keypoint indices, exactly as in
# person_keypoints_*.json.
SKELETON = [[16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12], [7, 13], [6, 7],
            [6, 8], [7, 9], [8, 10], [9, 11], [2, 3], [1, 2], [1, 3], [2, 4], [3, 5], [4, 6],
            [5, 7]]
# A horizontal flip maps keypoint k to FLIP[k] (left <-> right).
FLIP = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
# COCO's OKS sigmas (cocoeval.py), in KEYPOINTS order.
OKS_SIGMAS = [0.026, 0.025, 0.025, 0.035, 0.035, 0.079, 0.079, 0.072, 0.072, 0.062, 0.062,
              0.107, 0.107, 0.087, 0.087, 0.089, 0.089]
PERSON_CATEGORY = {"id": 1, "name": "person", "supercategory": "person",
                   "keypoints": KEYPOINTS, "skeleton": SKELETON}

WALK, STAND, WAVE, REACH = range(4)
HEAD_RADIUS = 0.062
HEAD_CENTRE = (0.0, 0.008, 0.912)
ANKLE_HEIGHT = 0.035


@dataclass
class Body:
    """One person's proportions and style of movement (lengths in units of height)."""

    build: float = 1.0  # shoulder / hip width factor
    upper_arm: float = 0.172
    forearm: float = 0.158
    thigh: float = 0.245
    shin: float = 0.24
    arm_swing: float = 0.4  # radians at the peak of the stride
    leg_swing: float = 0.42
    rest_abduction: float = 0.08  # arms held a little away from the body
    rest_flex: float = 0.2  # elbow bend at rest
    side: int = 1  # which arm waves or reaches: +1 right, -1 left


def _dir(side: int, swing: float, abduction: float) -> np.ndarray:
    """Unit vector of a limb hanging down, swung forwards by `swing`, then out to `side`
    by `abduction` (radians)."""
    return np.array([side * math.sin(abduction), math.cos(abduction) * math.sin(swing),
                     -math.cos(abduction) * math.cos(swing)])


def body_points(body: Body, pose: int, phase: float) -> dict:
    """The 3-D points of the body at `phase` (radians of the walking cycle, or of the wave):
    the 17 keypoints by name plus `head`, `neck`, `pelvis`, `left_hand`, `right_hand`,
    `left_toe`, `right_toe`, as (l, f, u) arrays."""
    b = body
    p = {}
    s = math.sin(phase)
    c = math.cos(phase)
    for name, side in (("right", 1), ("left", -1)):
        # Walking: the right leg forwards while the right arm goes back, and vice versa.
        lsign = side * s
        if pose == WALK:
            hip_swing = b.leg_swing * lsign
            # The knee bends most while the leg swings forwards (phase derivative > 0).
            knee = 0.12 + 0.6 * max(0.0, side * c) * (0.5 + 0.5 * max(0.0, -lsign + 0.3))
            arm_swing = -b.arm_swing * lsign
            abduct, flex = b.rest_abduction, b.rest_flex + 0.35 * max(0.0, -lsign)
        else:
            hip_swing, knee = 0.04 * side, 0.05
            arm_swing, abduct, flex = 0.05, b.rest_abduction, b.rest_flex
        hip = np.array([side * 0.078 * b.build, 0.0, 0.52])
        thigh = _dir(side, hip_swing, 0.03 if pose == WALK else 0.06)
        knee_pt = hip + b.thigh * thigh
        ankle = knee_pt + b.shin * _dir(side, hip_swing - knee, 0.02)
        toe = ankle + np.array([0.0, 0.07, -0.025])
        shoulder = np.array([side * 0.098 * b.build, 0.0, 0.815])
        upper = _dir(side, arm_swing, abduct)
        fore_dir = _dir(side, arm_swing + flex, abduct * 0.6)
        if pose in (WAVE, REACH) and side == b.side:
            if pose == WAVE:  # upper arm raised sideways, forearm up and waving
                upper = _dir(side, 0.15, 2.2)
                fore_dir = _dir(side, 0.1, 2.95 + 0.25 * s)
            else:  # pointing forwards
                upper = _dir(side, 1.35, 0.15)
                fore_dir = _dir(side, 1.5, 0.1)
        elbow = shoulder + b.upper_arm * upper
        wrist = elbow + b.forearm * fore_dir
        p[f"{name}_hip"], p[f"{name}_knee"], p[f"{name}_ankle"] = hip, knee_pt, ankle
        p[f"{name}_toe"] = toe
        p[f"{name}_shoulder"], p[f"{name}_elbow"], p[f"{name}_wrist"] = shoulder, elbow, wrist
        p[f"{name}_hand"] = wrist + 0.03 * fore_dir
    # Stand on the lower foot (a little bob comes with it).
    lift = ANKLE_HEIGHT - min(p["left_ankle"][2], p["right_ankle"][2])
    for k in p:
        p[k] = p[k] + np.array([0.0, 0.0, lift])
    head = np.array(HEAD_CENTRE) + np.array([0.0, 0.0, lift])
    r = HEAD_RADIUS
    p["head"] = head
    p["nose"] = head + np.array([0.0, r * 1.02, -0.01])
    for name, side in (("right", 1), ("left", -1)):
        p[f"{name}_eye"] = head + np.array([side * 0.42 * r, 0.85 * r, -0.004])
        p[f"{name}_ear"] = head + np.array([side * r, -0.05 * r, 0.0])
    p["neck"] = (p["left_shoulder"] + p["right_shoulder"]) / 2 + np.array([0, 0, 0.02])
    p["pelvis"] = (p["left_hip"] + p["right_hip"]) / 2
    return p


def axes(phi: float):
    """Image-x and camera-Z components of the body's right (l) and forward (f) axes for a
    person facing `phi` (0: towards the camera, pi/2: to the image's right)."""
    return (-math.cos(phi), math.sin(phi)), (math.sin(phi), math.cos(phi))


def project(points, phi: float, foot: tuple, h_px: float, depth_gain: float):
    """Image coordinates (PIL pixel-centre convention, x right, y down) and depth towards the
    camera (height units) of body-frame points (an [N, 3] array, or one (l, f, u)).

    `foot` is the image point of the ground under the body's origin; `h_px` the person's
    height in pixels; `depth_gain` the camera height over the person's distance, so a point
    nearer the camera lands lower in the image, as on a ground plane seen from above."""
    pts = np.asarray(points, np.float64).reshape(-1, 3)
    (rx, rz), (fx, fz) = axes(phi)
    x = pts[:, 0] * rx + pts[:, 1] * fx
    z = pts[:, 0] * rz + pts[:, 1] * fz
    xy = np.stack([foot[0] + h_px * x, foot[1] - h_px * pts[:, 2] + h_px * z * depth_gain], 1)
    return xy, z


__all__ = ["KEYPOINTS", "SKELETON", "FLIP", "OKS_SIGMAS", "PERSON_CATEGORY", "Body",
           "body_points", "project", "axes", "WALK", "STAND", "WAVE", "REACH", "HEAD_RADIUS"]
