"""Drawing the plaza's people and objects: shapes with a part index, painted into the RGB
image and into a code map (`instance id * 32 + part`), so that masks, visibility and the
picture all come from the same strokes.

A person is 10 parts (PARTS) drawn far to near: thick segments with round caps for the
limbs, a polygon for the torso, a circle for the head with hair that covers the back of it
and eyes on the front; the far side is darker and each limb gets a highlight towards the
light (upper left), in the RGB image only.

Example:
    shapes = person_shapes(look, points, phi=0.4, foot=(300, 280), h_px=90, depth_gain=0.3)
    draw_shapes(ImageDraw.Draw(rgb), ImageDraw.Draw(codes), shapes, code_base=7 * PARTS_PER_ID)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pose_skeleton import HEAD_RADIUS, project

PARTS = ["torso", "head", "right_upper_arm", "right_forearm", "left_upper_arm",
         "left_forearm", "right_thigh", "right_shin", "left_thigh", "left_shin"]
PARTS_PER_ID = 32  # code map value = instance id * PARTS_PER_ID + part index
TORSO, HEAD = 0, 1


@dataclass
class Look:
    """Colours and clothes of one person."""

    skin: tuple
    hair: tuple | None  # None: bald
    shirt: tuple
    trousers: tuple
    shoes: tuple
    long_sleeves: bool
    shorts: bool


@dataclass
class Shape:
    """One stroke: kind ("line", "polygon", "rectangle", "ellipse"), coordinates, RGB
    colour, width (lines), part index (None: drawn in the RGB image only) and depth (larger
    is nearer)."""

    kind: str
    coords: list
    colour: tuple
    width: float = 0.0
    part: int | None = None
    z: float = 0.0


def shade(colour, factor: float) -> tuple:
    return tuple(int(min(255, max(0, c * factor))) for c in colour)


def _limb(a, b, width, colour, part, z, far) -> list:
    """A thick segment with round caps, plus its highlight towards the upper left."""
    base = shade(colour, 0.78 if far else 1.0)
    out = [Shape("line", [tuple(a), tuple(b)], base, width, part, z)]
    r = width / 2
    if width >= 2:
        for p in (a, b):
            out.append(Shape("ellipse", [p[0] - r, p[1] - r, p[0] + r, p[1] + r], base, 0, part, z))
    d = np.asarray(b, float) - np.asarray(a, float)
    n = float(np.hypot(*d))
    if width >= 3 and n > 0:
        perp = np.array([-d[1], d[0]]) / n
        if perp[0] + perp[1] > 0:
            perp = -perp
        off = perp * width * 0.22
        out.append(Shape("line", [tuple(np.asarray(a) + off), tuple(np.asarray(b) + off)],
                         shade(base, 1.2), max(1.0, width * 0.3), None, z))
    return out


def person_shapes(look: Look, points: dict, phi: float, foot: tuple, h_px: float,
                  depth_gain: float) -> list:
    """The shapes of one person (body points from pose_skeleton.body_points) facing `phi`
    with the ground under them at `foot`, `h_px` tall, in drawing order."""
    names = list(points)
    xy, z = project(np.stack([points[k] for k in names]), phi, foot, h_px, depth_gain)
    P = {k: xy[i] for i, k in enumerate(names)}
    Z = {k: float(z[i]) for i, k in enumerate(names)}
    groups = []  # (depth, shapes)
    w = h_px
    for side, first in (("right", 2), ("left", 4)):
        arm_z = (Z[f"{side}_shoulder"] + Z[f"{side}_elbow"] + Z[f"{side}_wrist"]) / 3
        far = Z[f"{side}_shoulder"] < -0.03
        sleeve = look.shirt if look.long_sleeves else look.skin
        shapes = _limb(P[f"{side}_shoulder"], P[f"{side}_elbow"], 0.058 * w, look.shirt, first,
                       arm_z, far)
        shapes += _limb(P[f"{side}_elbow"], P[f"{side}_hand"], 0.048 * w, sleeve, first + 1,
                        arm_z, far)
        h = P[f"{side}_hand"]
        r = max(0.5, 0.027 * w)
        shapes.append(Shape("ellipse", [h[0] - r, h[1] - r, h[0] + r, h[1] + r],
                            shade(look.skin, 0.78 if far else 1.0), 0, first + 1, arm_z))
        groups.append((arm_z + 0.001, shapes))
        first_leg = 6 if side == "right" else 8
        leg_z = (Z[f"{side}_hip"] + Z[f"{side}_knee"] + Z[f"{side}_ankle"]) / 3
        far = Z[f"{side}_hip"] < -0.03
        lower = look.skin if look.shorts else look.trousers
        shapes = _limb(P[f"{side}_hip"], P[f"{side}_knee"], 0.085 * w, look.trousers, first_leg,
                       leg_z, far)
        shapes += _limb(P[f"{side}_knee"], P[f"{side}_ankle"], 0.066 * w, lower, first_leg + 1,
                        leg_z, far)
        shapes += _limb(P[f"{side}_ankle"], P[f"{side}_toe"], 0.046 * w, look.shoes,
                        first_leg + 1, leg_z, far)
        groups.append((leg_z, shapes))
    groups.append((0.0, _torso(look, P, phi, w)))
    groups.append((10.0, _head(look, P, Z, phi, w)))  # the head is always in front
    groups.sort(key=lambda g: g[0])
    return [s for _, group in groups for s in group]


def _torso(look: Look, P: dict, phi: float, w: float) -> list:
    top, bottom = P["neck"], P["pelvis"]
    # Half widths: an elliptic cross-section seen from `phi`.
    c, s = abs(math.cos(phi)), abs(math.sin(phi))
    shoulders = w * math.hypot(0.13 * c, 0.08 * s)
    hips = w * math.hypot(0.108 * c, 0.075 * s)
    waist = top + (bottom - top) * 0.8
    poly = [(top[0] - shoulders, top[1]), (top[0] + shoulders, top[1]),
            (waist[0] + hips * 0.95, waist[1]), (waist[0] - hips * 0.95, waist[1])]
    pants = [(waist[0] - hips, waist[1]), (waist[0] + hips, waist[1]),
             (bottom[0] + hips, bottom[1] + 0.02 * w), (bottom[0] - hips, bottom[1] + 0.02 * w)]
    out = [Shape("polygon", pants, look.trousers, 0, TORSO), Shape("polygon", poly, look.shirt, 0,
                                                                   TORSO)]
    r = 0.035 * w
    for x in (top[0] - shoulders + r, top[0] + shoulders - r):  # round shoulders
        out.append(Shape("ellipse", [x - r, top[1] - r * 0.6, x + r, top[1] + r * 1.4],
                         look.shirt, 0, TORSO))
    if shoulders > 3:  # highlight on the lit (left) side
        hl = [(top[0] - shoulders * 0.8, top[1] + 0.01 * w), (top[0] - shoulders * 0.35, top[1]
                                                             + 0.01 * w),
              (waist[0] - hips * 0.4, waist[1] - 0.01 * w), (waist[0] - hips * 0.8,
                                                            waist[1] - 0.01 * w)]
        out.append(Shape("polygon", hl, shade(look.shirt, 1.15)))
    return out


def _head(look: Look, P: dict, Z: dict, phi: float, w: float) -> list:
    h = P["head"]
    r = HEAD_RADIUS * w
    out = [Shape("ellipse", [h[0] - r * 0.45, h[1] + r * 0.6, h[0] + r * 0.45, h[1] + r * 1.5],
                 shade(look.skin, 0.85), 0, HEAD),  # neck
           Shape("ellipse", [h[0] - r, h[1] - r, h[0] + r, h[1] + r], look.skin, 0, HEAD)]
    if look.hair is not None:
        # Hair covers the back of the head: a cap seen from the front, the back half in
        # profile, all of it seen from behind.
        dx = -math.sin(phi) * 0.35 * r
        bottom = -0.15 + 1.17 * (1 - math.cos(phi)) / 2
        out.append(Shape("ellipse", [h[0] + dx - 1.02 * r, h[1] - 1.1 * r, h[0] + dx + 1.02 * r,
                                     h[1] + bottom * r], look.hair, 0, HEAD))
    for eye in ("left_eye", "right_eye"):
        if Z[eye] - Z["head"] > 0.012 and r >= 3:
            e = P[eye]
            er = max(0.6, 0.08 * r)
            out.append(Shape("ellipse", [e[0] - er, e[1] - er, e[0] + er, e[1] + er],
                             (30, 25, 25)))
    return out


def draw_shapes(draw_rgb, draw_code, shapes, code_base: int, draw_solo=None) -> None:
    """Paints `shapes` into the RGB image and, for shapes with a part, into the code map
    (value code_base + part) and the optional solo mask (value 1)."""
    for s in shapes:
        targets = [(draw_rgb, s.colour)]
        if s.part is not None:
            targets.append((draw_code, code_base + s.part))
            if draw_solo is not None:
                targets.append((draw_solo, 1))
        for d, fill in targets:
            if s.kind == "line":
                d.line(s.coords, fill=fill, width=max(1, int(round(s.width))))
            elif s.kind == "polygon":
                d.polygon(s.coords, fill=fill)
            elif s.kind == "rectangle":
                d.rectangle(s.coords, fill=fill)
            else:
                d.ellipse(s.coords, fill=fill)


__all__ = ["PARTS", "PARTS_PER_ID", "Look", "Shape", "person_shapes", "draw_shapes", "shade"]
