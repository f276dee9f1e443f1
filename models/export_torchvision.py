"""Exports a torchvision Faster / Mask R-CNN into the runtime's model format: a raw graph
(dynamic batch, no final NMS; see training/raw_export.py) or `--standard` (torchvision's
own post-processing inside), plus its manifest.json. So users can bring real models.

Usage (on a machine that can download weights, or with --weights none):
    python3 models/export_torchvision.py --arch maskrcnn_resnet50_fpn --out models/coco-maskrcnn
    python3 models/export_torchvision.py --arch fasterrcnn_mobilenet_v3_large_fpn \
        --size 320x576 --out models/coco-frcnn-mobile
    python3 models/export_torchvision.py --arch maskrcnn_resnet50_fpn --weights none \
        --score-thresh 0 --size 800x1344 --out /tmp/mrcnn-random   # benchmarking

The input size is fixed (H x W, multiples of 32); the runtime letterboxes frames into it.
The manifest names COCO's categories for torchvision's COCO models, whatever the weights
(torchvision has the names offline; ids are torchvision's labels, which are COCO's ids).
Before writing, the raw graph is checked against torchvision's own inference with class
NMS disabled, and the script says what it compared (with random weights: counts and
scores, not boxes; nothing but counts when no candidate scores above the threshold). Needs torch + torchvision (Debian: python3-torch python3-torchvision
python3-onnx, run with /usr/bin/python3).

The graph's input is float32 NCHW (CHW with `--standard`), normalised by the runtime.
`--uint8-input` gives it a uint8 NHWC (HWC) RGB input instead, the frames as ffmpeg writes
them, with the normalisation as the graph's first nodes (training/uint8_input.py, which also
converts an exported folder afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "training"))

from cli import check_choice, output_folder, require_onnx, require_torch  # noqa: E402

# The manifest's JSON Schema: its `$schema` is the path of this file from the output folder.
SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "schemas",
                      "manifest.schema.json")

ARCHITECTURES = {
    "fasterrcnn_resnet50_fpn": "fasterrcnn",
    "fasterrcnn_resnet50_fpn_v2": "fasterrcnn",
    "fasterrcnn_mobilenet_v3_large_fpn": "fasterrcnn",
    "fasterrcnn_mobilenet_v3_large_320_fpn": "fasterrcnn",
    "maskrcnn_resnet50_fpn": "maskrcnn",
    "maskrcnn_resnet50_fpn_v2": "maskrcnn",
}


def palette(i: int):
    return [(37 * i) % 256, (97 * i + 80) % 256, (173 * i + 40) % 256]


def category_names(arch: str, weights: str, num_classes: int):
    """The class names of `arch`'s outputs, by label index (index 0 the background; `N/A`
    where COCO has a gap): the categories of the weights' metadata, which torchvision has
    offline (no download). With `--weights none` the model is still a COCO model when it
    has COCO's 91 outputs, so it gets the architecture's COCO names; another
    `--num-classes` gets None (the manifest then says class1, class2...)."""
    import torchvision

    enum = torchvision.models.get_model_weights(getattr(torchvision.models.detection, arch))
    if weights == "none":
        categories = enum.DEFAULT.meta.get("categories")
        return categories if categories and len(categories) == num_classes else None
    chosen = enum.DEFAULT if weights == "DEFAULT" else enum[weights]
    return chosen.meta.get("categories")


def manifest_classes(names, count: int):
    """The manifest's classes: label index i is class id i (torchvision's COCO labels are
    COCO's category ids, gaps included), without the background and the `N/A` gaps."""
    names = names or [f"class{i}" for i in range(count)]
    return [{"id": i, "name": n, "isThing": True, "color": palette(i)}
            for i, n in enumerate(names) if i > 0 and n not in ("N/A", "__background__")]


def build(arch: str, weights: str, num_classes: int):
    """The model and its class names (see category_names)."""
    import torch
    import torchvision

    builder = getattr(torchvision.models.detection, arch)
    try:
        if weights == "none":
            model = builder(weights=None, weights_backbone=None, num_classes=num_classes)
            # torchvision initialises the predictor so that every score ties; spread them
            # (random weights are for benchmarking, and ties make candidate order arbitrary).
            torch.manual_seed(0)
            for p in model.roi_heads.box_predictor.parameters():
                torch.nn.init.normal_(p, std=0.5)
        else:
            model = builder(weights=weights)
        names = category_names(arch, weights, num_classes)
    except Exception as e:  # download failures, unknown weight names
        sys.exit(f"export_torchvision.py: --weights {weights}: could not load the weights of "
                 f"{arch} ({e}); use --weights none for random weights")
    return model, names


class Recorded:
    """Calls `raw` and keeps what it returned (the check's candidates, counted after)."""

    def __init__(self, raw):
        self.raw, self.outputs = raw, None

    def __call__(self, *args):
        self.outputs = self.raw(*args)
        return self.outputs


def verify(model, raw, pixels, random_weights: bool, score_thresh: float) -> str:
    """Checks the raw graph against torchvision's own inference (class NMS off) on
    `pixels` and says what was compared: the candidates' count per image always; their
    scores when there are any; their boxes and labels too unless the weights are random
    (random weights tie scores, so which candidate comes first, and which is cut at the
    top-k, is arbitrary). Exits with a message when they differ."""
    from onnx_export import check_against_torchvision

    recorded = Recorded(raw)
    try:
        box, score = check_against_torchvision(model, recorded, pixels,
                                               compare_boxes=not random_weights)
    except AssertionError as e:
        hint = " (random weights: --verify 0 skips the check)" if random_weights else ""
        sys.exit(f"export_torchvision.py: the raw graph differs from torchvision: {e}{hint}")
    images = len(pixels)
    candidates = int(recorded.outputs[1].numel())
    where = f"{images} random image{'s' if images > 1 else ''}"
    if candidates == 0:
        return (f"raw graph == torchvision on {where}: neither gives a candidate scoring above "
                f"{score_thresh}, so only the counts (0) were compared, no box or score")
    compared = f"{candidates} candidates on {where}: same count per image"
    if random_weights:
        return (f"raw graph == torchvision, {compared}, max |Δscore| {score:.2e} (sorted); "
                f"boxes not compared (random weights tie scores, so the order is arbitrary)")
    return (f"raw graph == torchvision, {compared}, same labels, max |Δbox| {box:.2e} px, "
            f"max |Δscore| {score:.2e}")


def main(argv=None):
    ap = argparse.ArgumentParser(description="Export a torchvision detector for streamdet")
    ap.add_argument("--arch", required=True, help=f"one of {', '.join(ARCHITECTURES)}")
    ap.add_argument("--weights", default="DEFAULT", help="DEFAULT, a weights name, or none")
    ap.add_argument("--num-classes", type=int, default=91, help="with --weights none")
    ap.add_argument("--size", default="800x1344", help="fixed input HxW, multiples of 32")
    ap.add_argument("--out", required=True, help="model folder")
    ap.add_argument("--standard", action="store_true", help="torchvision's own export")
    ap.add_argument("--score-thresh", type=float, default=0.05)
    ap.add_argument("--detections", type=int, default=100)
    ap.add_argument("--opset", type=int, default=11)
    ap.add_argument("--verify", type=int, default=2, help="frames to check (0: skip)")
    ap.add_argument("--uint8-input", action="store_true",
                    help="uint8 NHWC / HWC input, normalisation inside the graph (default: "
                         "float32 NCHW / CHW, normalised by the runtime)")
    args = ap.parse_args(argv)
    check_choice("export_torchvision.py", "--arch", args.arch, ARCHITECTURES)
    try:
        h, w = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        sys.exit(f"export_torchvision.py: --size: expected HxW like 800x1344, found {args.size!r}")
    if h % 32 or w % 32:
        sys.exit(f"export_torchvision.py: --size: expected multiples of 32, found {h}x{w}")
    if args.opset < 11:
        sys.exit(f"export_torchvision.py: --opset: expected 11 or more, found {args.opset}")
    folder = output_folder(args.out, "export_torchvision.py")
    torch = require_torch("export_torchvision.py")
    require_onnx("export_torchvision.py")
    import torchvision

    from onnx_export import export_raw, export_standard, manifest_dict
    from raw_export import RawDetector

    model, categories = build(args.arch, args.weights, args.num_classes)
    model.eval()
    model.transform.min_size = (min(h, w),)
    model.transform.max_size = max(h, w)
    model.roi_heads.score_thresh = args.score_thresh
    model.roi_heads.detections_per_img = args.detections
    kind = ARCHITECTURES[args.arch]
    path = os.path.join(folder, "model.onnx")
    if args.standard:
        names = export_standard(model, path, (h, w), args.opset)
    else:
        raw = RawDetector(model, (h, w))
        if args.verify:
            torch.manual_seed(0)
            pixels = torch.randint(0, 256, (args.verify, 3, h, w)).float()
            print(verify(model, raw, pixels, args.weights == "none", args.score_thresh))
        names = export_raw(raw, path, args.opset)
    count = model.roi_heads.box_predictor.cls_score.out_features
    classes = manifest_classes(categories, count)
    transform = model.transform
    manifest = manifest_dict(
        os.path.basename(os.path.abspath(folder)), kind, (h, w), names, not args.standard,
        transform.image_mean, transform.image_std, classes, args.detections,
        schema=os.path.relpath(SCHEMA, os.path.abspath(folder)),
        source={"torchvision": torchvision.__version__, "arch": args.arch,
                "weights": args.weights})
    if args.uint8_input:
        from uint8_input import convert_file

        manifest["input"] = convert_file(path, manifest["input"])
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB) and manifest.json")


if __name__ == "__main__":
    main()
