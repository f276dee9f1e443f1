"""The plaza's fixed props (pillars, lamp posts, benches, planters) and its paving.

Props stand on the ground at (X, D) metres and are drawn in depth order with the people, so
they hide whoever walks behind them: a pillar a whole side of a person, a bench's slats
stripes of legs, a planter the lower body. Their pixels carry instance ids from
OBJECT_ID_BASE up in the code map (they are not annotated).

Example:
    prop = random_prop(rng, depth=12.0, half_view=0.6)
    shapes = prop_shapes(prop, plaza)          # pose_draw.Shape list, part 0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pose_draw import Shape, shade
from world import _jitter

OBJECT_ID_BASE = 1000
KINDS = ("pillar", "lamp", "bench", "planter")


@dataclass
class Prop:
    kind: str
    X: float
    D: float
    colour: tuple
    size: float  # width (pillar, planter), length (bench) or height (lamp), metres


def random_prop(rng, depth: float, half_view: float) -> Prop:
    """A prop of a random kind at `depth` metres, inside the view."""
    kind = KINDS[int(rng.choice(len(KINDS), p=[0.3, 0.2, 0.3, 0.2]))]
    X = float(rng.uniform(-0.95, 0.95) * half_view * depth)
    colour = {"pillar": (200, 195, 185), "lamp": (50, 55, 60), "bench": (140, 95, 55),
              "planter": (150, 150, 150)}[kind]
    size = {"pillar": rng.uniform(0.4, 0.8), "lamp": rng.uniform(3.5, 5.0),
            "bench": rng.uniform(1.4, 2.4), "planter": rng.uniform(0.9, 1.8)}[kind]
    return Prop(kind, X, depth, _jitter(rng, colour, 20), float(size))


def prop_shapes(prop: Prop, plaza) -> list:
    """The shapes of `prop` as the plaza's camera sees it (part 0: one instance each)."""
    (x, y), s = plaza.ground(prop.X, prop.D)
    c = prop.colour
    out = []
    if prop.kind == "pillar":
        w = prop.size * s / 2
        top = y - 4.5 * s
        out.append(Shape("rectangle", [x - w * 1.25, y - 0.3 * s, x + w * 1.25, y], shade(c, 0.9),
                         0, 0))
        out.append(Shape("rectangle", [x - w, top, x + w, y - 0.3 * s], c, 0, 0))
        out.append(Shape("rectangle", [x - w, top, x - w * 0.4, y - 0.3 * s], shade(c, 1.12)))
        out.append(Shape("rectangle", [x + w * 0.45, top, x + w, y - 0.3 * s], shade(c, 0.75)))
    elif prop.kind == "lamp":
        w = max(0.6, 0.06 * s)
        top = y - prop.size * s
        out.append(Shape("rectangle", [x - w, top, x + w, y], c, 0, 0))
        r = 0.25 * s
        out.append(Shape("ellipse", [x - r, top - r * 1.2, x + r, top + r * 0.4], (235, 230, 200),
                         0, 0))
    elif prop.kind == "bench":
        half = prop.size * s / 2
        leg = max(0.6, 0.05 * s)
        for lx in (x - half * 0.8, x + half * 0.8):
            out.append(Shape("rectangle", [lx - leg, y - 0.95 * s, lx + leg, y], shade(c, 0.6),
                             0, 0))
        for top, bottom in ((0.95, 0.85), (0.75, 0.66), (0.5, 0.42)):  # back slats, seat
            out.append(Shape("rectangle", [x - half, y - top * s, x + half, y - bottom * s], c,
                             0, 0))
            out.append(Shape("rectangle", [x - half, y - top * s, x + half,
                                           y - (top * 0.7 + bottom * 0.3) * s], shade(c, 1.15)))
    else:  # planter with a bush
        w = prop.size * s / 2
        h = 0.6 * s
        out.append(Shape("rectangle", [x - w, y - h, x + w, y], c, 0, 0))
        out.append(Shape("rectangle", [x - w, y - h, x + w, y - h + 0.08 * s], shade(c, 1.2)))
        green = (60, 130, 55)
        out.append(Shape("ellipse", [x - w * 0.95, y - h - 0.7 * s, x + w * 0.95, y - h + 0.1 * s],
                         green, 0, 0))
        out.append(Shape("ellipse", [x - w * 0.5, y - h - 0.6 * s, x + w * 0.1, y - h - 0.2 * s],
                         shade(green, 1.3)))
    return out


def paving(draw, plaza) -> None:
    """Paves the ground below the horizon: a base colour and tile joints in perspective."""
    W, H, hz = plaza.width, plaza.height, plaza.horizon
    draw.rectangle([0, math.floor(hz), W, H], fill=plaza.paving)
    joint = shade(plaza.paving, 0.82)
    step = plaza.tile
    far = min(plaza.d_far * 1.5, 60 * step)
    k = max(1, int(plaza.d_near / step))
    while k * step < far:  # lines of constant depth
        (_, y), s = plaza.ground(0.0, k * step)
        if y < H:
            draw.line([(0, y), (W, y)], fill=joint, width=1 if s * step < 40 else 2)
        k += 1
    (_, y_far), _ = plaza.ground(0.0, far)
    near = plaza.d_near
    span = plaza.half_view * far * 1.1
    j = -int(span / step)
    while j * step <= span:  # lines of constant X, towards the vanishing point
        (x0, y0), _ = plaza.ground(j * step, near)
        (x1, y1), _ = plaza.ground(j * step, far)
        draw.line([(x0, y0), (x1, y_far)], fill=joint, width=1)
        j += 1


__all__ = ["OBJECT_ID_BASE", "Prop", "random_prop", "prop_shapes", "paving"]
