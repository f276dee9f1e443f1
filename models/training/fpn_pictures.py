"""Pictures of the mean FPN activation per level on held-out demo frames, with the
ground-truth objects outlined (issue 18's multi-scale study, docs/multiscale-study.md), and
a table of which level lights up inside small / medium / large objects.

Usage:
    python3 fpn_pictures.py --checkpoint runs/single/fcos/checkpoint.pt \\
        --out ../../docs/multiscale-study/fpn-fcos.png [--frames 3] [--frame-ids 196,40,150]
        [--arch auto] [--stat abs|relu|mean] [--norm shared|level] [--table-every 1]
        [--json fpn-fcos.json] [--demo ../demo] [--width 256] [--threads 1]

--checkpoint: a train.py FCOS / RetinaNet / Mask R-CNN / Faster R-CNN checkpoint, a
solov2_train.py one (the architecture is the checkpoint's `arch`; --arch only checks it), or
an exported street graph (model.onnx, with its manifest.json beside it: the backbone + FPN
weights via onnx_init.py, BatchNorm folded), e.g. ../street-maskrcnn/model.onnx.

Frames: the demo's (../demo/instances.json; rendered again from the world seeds as
make_demo.py made them, checked against its boxes), resized to the model input (bilinear),
normalised as the runtime does, through the backbone + FPN in eval mode. A level's map is
the mean over the 64 channels of |x| (`abs`, default: the FPN outputs are signed, no ReLU),
max(x, 0) (`relu`) or x (`mean`; its table ratios are unstable where the frame's mean is
near 0). Colours: `shared` (default) clips every panel to one range, the 1st..99th
percentile of all levels' panel pixels over the frames shown (levels and frames compare);
`level`: each level's own 1st..99th percentile over the frames shown.

The table: per level, the map's mean over each non-crowd box (the cells whose footprint
centre is inside, else the cell under the box's centre) / its mean over the frame, averaged
over the boxes of each COCO size class (area at 640x360) of every --table-every-th demo
frame. `brightest`: the level with the highest ratio per class.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
from PIL import Image

from cli import ARCHITECTURES, SINGLE_STAGE, output_folder, require_torch
from fpn_picture_draw import SIZE_CLASSES, level_name, save_png, size_class, study_picture
from make_demo import DEMO_SEEDS
from world import Sequence

SCRIPT = "fpn_pictures.py"
HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = ("auto",) + SINGLE_STAGE + ("solov2",) + ARCHITECTURES


def load_backbone(path: str, arch: str):
    """(backbone + FPN in eval mode, input size (H, W), arch, training step or None) from a
    checkpoint (each kind through its exporter's `load`) or an exported model.onnx."""
    import torch

    if path.endswith(".onnx"):
        return onnx_backbone(path, arch)
    try:
        state = torch.load(path, map_location="cpu")
    except FileNotFoundError:
        sys.exit(f"{SCRIPT}: --checkpoint: expected a checkpoint, found no file {path!r}")
    except Exception as e:  # not a torch file
        sys.exit(f"{SCRIPT}: --checkpoint: expected a torch checkpoint, found {path!r} "
                 f"unreadable ({type(e).__name__}: {e})")
    found = state.get("arch") if isinstance(state, dict) else None
    if arch != "auto" and found != arch:
        sys.exit(f"{SCRIPT}: --arch: expected the checkpoint's arch, found --arch {arch} "
                 f"against {found!r} in {path}")
    if found in SINGLE_STAGE:
        from single_stage_exporter import load
        model, size, _ = load(path)
    elif found == "solov2":
        from solov2_exporter import load
        model, size, _ = load(path)
    elif found in ARCHITECTURES:
        from street_export import load
        model, size, _ = load(path, found)
    else:
        sys.exit(f"{SCRIPT}: --checkpoint: expected an arch among {', '.join(KINDS[1:])}, "
                 f"found {found!r} in {path}")
    return model.backbone.eval(), size, found, state.get("step")


def onnx_backbone(path: str, arch: str):
    """The backbone + FPN of an exported street graph; size and kind from its manifest."""
    from torch import nn

    from model import small_backbone
    from onnx_init import load_trunk_from_onnx

    manifest = os.path.join(os.path.dirname(os.path.abspath(path)), "manifest.json")
    try:
        with open(manifest) as f:
            spec = json.load(f)
    except OSError:
        sys.exit(f"{SCRIPT}: --checkpoint: expected {manifest} beside the graph (its input "
                 f"size), found none")
    trunk = nn.Module()
    trunk.backbone = small_backbone()
    expected = sum(1 for k in trunk.state_dict() if not k.endswith("num_batches_tracked"))
    loaded = load_trunk_from_onnx(trunk, path)
    if loaded != expected:
        sys.exit(f"{SCRIPT}: --checkpoint: expected the {expected} backbone + FPN tensors of a "
                 f"street export in {path}, found {loaded}")
    kind = spec.get("kind", "onnx")
    if arch != "auto" and arch != kind:
        sys.exit(f"{SCRIPT}: --arch: expected the manifest's kind, found --arch {arch} "
                 f"against {kind!r}")
    return trunk.backbone.eval(), (spec["input"]["height"], spec["input"]["width"]), kind, \
        spec.get("training", {}).get("steps")


def demo_coco(folder: str) -> dict:
    path = os.path.join(folder, "instances.json")
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        sys.exit(f"{SCRIPT}: --demo: expected the demo's instances.json, found {path!r} "
                 f"unreadable ({e.strerror})")


def boxes_by_frame(coco: dict) -> dict:
    """Frame index -> its annotations (crowd included), in file order."""
    ids = {im["id"]: im["frame_index"] for im in coco["images"]}
    out = {f: [] for f in ids.values()}
    for a in coco["annotations"]:
        out[ids[a["image_id"]]].append(a)
    return out


def choose_frames(anns: dict, images: list, n: int) -> list:
    """`n` frames, one per scene while scenes last: in turn the frame with the most small,
    medium, large non-crowd objects (ties: the earliest)."""
    scene = {im["frame_index"]: im["scene"] for im in images}
    chosen, used = [], set()
    for k in range(n):
        cls = SIZE_CLASSES[k % 3]
        free = [f for f in sorted(anns) if f not in chosen
                and (scene[f] not in used or len(used) == len(set(scene.values())))]
        best = max(free, key=lambda f: (sum(1 for a in anns[f] if not a["iscrowd"]
                                            and size_class(a["area"]) == cls), -f))
        chosen.append(best)
        used.add(scene[best])
    return chosen


def render_frame(coco: dict, index: int, anns: list) -> np.ndarray:
    """Demo frame `index` rendered from its world seed (640x360), as make_demo.py made it;
    exits if its boxes differ from instances.json's."""
    image = next(im for im in coco["images"] if im["frame_index"] == index)
    t = index - image["scene"] * coco["info"]["frames_per_scene"]
    frame = Sequence(DEMO_SEEDS[image["scene"]], image["width"], image["height"]).render(t)
    if [list(i.bbox) for i in frame.instances] != [a["bbox"] for a in anns]:
        sys.exit(f"{SCRIPT}: demo frame {index}: expected the world to render instances.json's "
                 f"boxes, found others (the world changed since make_demo.py?)")
    return frame.image


def level_maps(backbone, image: np.ndarray, size: tuple, stat: str) -> list:
    """[(stride, map [h, w] float64)] per FPN level of `image` at the model size."""
    import torch

    from model import MEAN, STD
    from onnx_export import normalise

    h, w = size
    img = np.asarray(Image.fromarray(image).resize((w, h), Image.BILINEAR))
    x = normalise(torch.from_numpy(img.copy()).permute(2, 0, 1)[None].float(), MEAN, STD)
    with torch.no_grad():
        feats = backbone(x)
    reduce = {"abs": lambda f: f.abs(), "relu": lambda f: f.clamp(min=0),
              "mean": lambda f: f}[stat]
    return [(int(round(w / f.shape[-1])), reduce(f[0]).mean(0).double().numpy())
            for f in feats.values()]


def box_mean(act: np.ndarray, stride: int, box) -> float:
    """The map's mean over the cells whose footprint centre is inside `box` (x, y, w, h,
    model-input pixels), else the cell under the box's centre."""
    x, y, w, h = box
    cx = (np.arange(act.shape[1]) + 0.5) * stride
    cy = (np.arange(act.shape[0]) + 0.5) * stride
    jx = np.nonzero((cx >= x) & (cx < x + w))[0]
    jy = np.nonzero((cy >= y) & (cy < y + h))[0]
    if len(jx) and len(jy):
        return float(act[jy][:, jx].mean())
    j = min(int((x + w / 2) // stride), act.shape[1] - 1)
    i = min(int((y + h / 2) // stride), act.shape[0] - 1)
    return float(act[i, j])


def size_table(backbone, coco: dict, anns: dict, size: tuple, stat: str, every: int) -> dict:
    """Per level and size class: the mean of box mean / frame mean and the box count."""
    frames = sorted(anns)[::every]
    ratios: dict = {}
    for f in frames:
        image = render_frame(coco, f, anns[f])
        sx, sy = size[1] / image.shape[1], size[0] / image.shape[0]
        for stride, act in level_maps(backbone, image, size, stat):
            level = ratios.setdefault(stride, {c: [] for c in SIZE_CLASSES})
            mean = act.mean()
            for a in anns[f]:
                if not a["iscrowd"]:
                    x, y, w, h = a["bbox"]
                    level[size_class(a["area"])].append(
                        box_mean(act, stride, (x * sx, y * sy, w * sx, h * sy)) / mean)
    levels = [{"level": level_name(s), "stride": s,
               **{c: {"ratio": float(np.mean(v)) if v else None, "boxes": len(v)}
                  for c, v in by.items()}} for s, by in sorted(ratios.items())]
    return {"frames": len(frames), "every": every, "levels": levels}


def print_table(table: dict, stat: str) -> None:
    first = table["levels"][0]
    counts = ", ".join(f"{first[c]['boxes']} {c}" for c in SIZE_CLASSES)
    print(f"mean {stat} activation over channels inside ground-truth boxes / over the frame, "
          f"per level ({table['frames']} demo frames, every {table['every']}; boxes: {counts})")
    print(f"{'level':<10}" + "".join(f"{c:>9}" for c in SIZE_CLASSES))
    for lv in table["levels"]:
        cells = "".join(f"{lv[c]['ratio']:>9.3f}" if lv[c]["ratio"] is not None else
                        f"{'-':>9}" for c in SIZE_CLASSES)
        print(f"{lv['level'] + ' s' + str(lv['stride']):<10}{cells}")
    best = [max((lv for lv in table["levels"] if lv[c]["ratio"] is not None),
                key=lambda lv: lv[c]["ratio"], default={"level": "-"})["level"]
            for c in SIZE_CLASSES]
    print(f"{'brightest':<10}" + "".join(f"{b:>9}" for b in best))


def make_picture(args, backbone, size, arch, step, coco, anns, frames):
    """The picture (PIL image) and the colour range of each level."""
    shown = []
    for f in frames:
        image = render_frame(coco, f, anns[f])
        shown.append((f, image, level_maps(backbone, image, size, args.stat)))
    header = (f"FPN activation per level: {arch}, {args.checkpoint}"
              + (f" (step {step})" if step is not None else "")
              + f", input {size[1]}x{size[0]}, eval mode; held-out demo frames")
    notes = ["SOLOv2's head reads P2 resized to stride 8 and P6 resized to P5's size; shown "
             "are the FPN's own outputs"] if arch == "solov2" else []
    return study_picture(shown, anns, size, args.width, args.stat, args.norm, header, notes)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True, help="the PNG to write")
    ap.add_argument("--arch", default="auto", choices=KINDS,
                    help="check the checkpoint's arch (default: take it)")
    ap.add_argument("--frames", type=int, default=3)
    ap.add_argument("--frame-ids", help="demo frame indices (instead of the chosen ones)")
    ap.add_argument("--stat", default="abs", choices=("abs", "relu", "mean"))
    ap.add_argument("--norm", default="shared", choices=("shared", "level"))
    ap.add_argument("--table-every", type=int, default=1,
                    help="the table uses every n-th demo frame (0: no table)")
    ap.add_argument("--json", help="also write the table and the picture's ranges here")
    ap.add_argument("--demo", default=os.path.join(HERE, "..", "demo"))
    ap.add_argument("--width", type=int, default=256, help="panel width in px")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    for name in ("frames", "width", "threads"):
        if getattr(args, name) < 1:
            sys.exit(f"{SCRIPT}: --{name}: expected 1 or more, found {getattr(args, name)}")
    if args.table_every < 0:
        sys.exit(f"{SCRIPT}: --table-every: expected 0 or more, found {args.table_every}")
    output_folder(os.path.dirname(os.path.abspath(args.out)), SCRIPT)
    if args.json:
        output_folder(os.path.dirname(os.path.abspath(args.json)), SCRIPT, "--json")
    coco = demo_coco(args.demo)
    anns = boxes_by_frame(coco)
    try:
        frames = [int(v) for v in args.frame_ids.split(",")] if args.frame_ids else \
            choose_frames(anns, coco["images"], args.frames)
    except ValueError:
        sys.exit(f"{SCRIPT}: --frame-ids: expected frame indices as 3,40,196, found "
                 f"{args.frame_ids!r}")
    bad = [f for f in frames if f not in anns]
    if bad:
        sys.exit(f"{SCRIPT}: --frame-ids: expected demo frames 0..{len(anns) - 1}, found {bad}")
    torch = require_torch(SCRIPT)
    torch.set_num_threads(args.threads)
    backbone, size, arch, step = load_backbone(args.checkpoint, args.arch)
    picture, ranges = make_picture(args, backbone, size, arch, step, coco, anns, frames)
    nbytes = save_png(picture, args.out, limit=400_000)
    print(f"wrote {args.out} ({picture.size[0]}x{picture.size[1]}, {nbytes / 1e3:.0f} KB): "
          f"{arch}, frames {', '.join(map(str, frames))}, {args.stat}, {args.norm} colours")
    table = size_table(backbone, coco, anns, size, args.stat, args.table_every) \
        if args.table_every else None
    if table:
        print_table(table, args.stat)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"checkpoint": args.checkpoint, "arch": arch, "step": step,
                       "input": list(size), "stat": args.stat, "norm": args.norm, "frames":
                       frames, "ranges": [[round(float(v), 5) for v in r] for r in ranges],
                       "table": table}, f, indent=1)
        print(f"wrote {args.json}")

if __name__ == "__main__":
    main()
