"""Exports a torchvision Faster / Mask R-CNN into the runtime's model format: a raw graph
(dynamic batch, no final NMS; see training/raw_export.py) or `--standard` (torchvision's
own post-processing inside), plus its manifest.json. So users can bring real models.
FCOS and RetinaNet (`--arch fcos_resnet50_fpn`, `retinanet_resnet50_fpn`,
`retinanet_resnet50_fpn_v2`) are exported raw only: the head's outputs per FPN level,
nothing decoded, with a `singleStage` block in the manifest (training/single_stage_raw.py,
single_stage_onnx.py), as the street FCOS / RetinaNet are.

Usage (on a machine that can download weights, or with --weights none):
    python3 models/export_torchvision.py --arch maskrcnn_resnet50_fpn --out models/coco-maskrcnn
    python3 models/export_torchvision.py --arch fasterrcnn_mobilenet_v3_large_fpn \
        --size 320x576 --out models/coco-frcnn-mobile
    python3 models/export_torchvision.py --arch maskrcnn_resnet50_fpn --weights none \
        --score-thresh 0 --size 800x1344 --out /tmp/mrcnn-random   # benchmarking
    python3 models/export_torchvision.py --arch retinanet_resnet50_fpn_v2 --size 512x896 \
        --out models/coco-retinanet

The input size is fixed (H x W, multiples of 32); the runtime letterboxes frames into it.
The manifest names COCO's categories for torchvision's COCO models, whatever the weights
(torchvision has the names offline; ids are torchvision's labels, which are COCO's ids).
Before writing, the raw graph is checked against torchvision's own inference with class
NMS disabled, and the script says what it compared (with random weights: counts and
scores, not boxes; nothing but counts when no candidate scores above the threshold). FCOS
and RetinaNet are checked as single_stage_raw.check_single_stage does: torchvision's
decoding of the raw outputs must be its eval forward. `--score-thresh` defaults to the
architecture's torchvision value (0.05; FCOS 0.2); `--detections` sets the detections per
image of every architecture (100; torchvision's RetinaNet has 300).
Needs torch + torchvision (Debian: python3-torch python3-torchvision
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
# FCOS / RetinaNet: raw per-level head outputs (training/single_stage_raw.py).
SINGLE_STAGE_ARCHITECTURES = {
    "fcos_resnet50_fpn": "fcos",
    "retinanet_resnet50_fpn": "retinanet",
    "retinanet_resnet50_fpn_v2": "retinanet",
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
            # Seeded: the same random weights every run, so the check compares the same
            # candidates every run (unseeded, a run sometimes had none above the threshold).
            torch.manual_seed(0)
            model = builder(weights=None, weights_backbone=None, num_classes=num_classes)
            # torchvision initialises the predictor so that every score ties; spread them
            # (random weights are for benchmarking, and ties make candidate order arbitrary).
            # (FCOS / RetinaNet start from a prior of 0.01 instead: scores differ, low.)
            if hasattr(model, "roi_heads"):
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
    kinds = {**ARCHITECTURES, **SINGLE_STAGE_ARCHITECTURES}
    ap.add_argument("--arch", required=True, help=f"one of {', '.join(kinds)}")
    ap.add_argument("--weights", default="DEFAULT", help="DEFAULT, a weights name, or none")
    ap.add_argument("--num-classes", type=int, default=91, help="with --weights none")
    ap.add_argument("--size", default="800x1344", help="fixed input HxW, multiples of 32")
    ap.add_argument("--out", required=True, help="model folder")
    ap.add_argument("--standard", action="store_true", help="torchvision's own export")
    ap.add_argument("--score-thresh", type=float,
                    help="default: torchvision's for the architecture (0.05; FCOS 0.2)")
    ap.add_argument("--detections", type=int, default=100)
    ap.add_argument("--opset", type=int, default=11)
    ap.add_argument("--verify", type=int, default=2, help="frames to check (0: skip)")
    ap.add_argument("--uint8-input", action="store_true",
                    help="uint8 NHWC / HWC input, normalisation inside the graph (default: "
                         "float32 NCHW / CHW, normalised by the runtime)")
    args = ap.parse_args(argv)
    check_choice("export_torchvision.py", "--arch", args.arch, kinds)
    single = args.arch in SINGLE_STAGE_ARCHITECTURES
    if single and args.standard:
        sys.exit(f"export_torchvision.py: --standard: expected an R-CNN --arch "
                 f"({', '.join(ARCHITECTURES)}), found {args.arch}: FCOS and RetinaNet are "
                 f"exported raw only")
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
    if single:
        return export_single_stage_model(model, categories, args, (h, w), folder)
    if args.score_thresh is None:
        args.score_thresh = 0.05
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
    write(manifest, path, folder, args.uint8_input)


def write(manifest: dict, path: str, folder: str, uint8_input: bool) -> None:
    """Gives the graph at `path` a uint8 input if asked, then writes the manifest."""
    if uint8_input:
        from uint8_input import convert_file

        manifest["input"] = convert_file(path, manifest["input"])
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB) and manifest.json")


def verify_single_stage(model, raw, pixels, random_weights: bool) -> str:
    """check_single_stage on `pixels`, and what it compared; exits when they differ."""
    from single_stage_raw import check_single_stage

    try:
        report = check_single_stage(model, raw, pixels, compare_boxes=not random_weights)
    except AssertionError as e:
        sys.exit(f"export_torchvision.py: the raw graph differs from torchvision: {e}")
    images = len(pixels)
    where = f"{images} random image{'s' if images > 1 else ''}"
    raw_diff = f"max |Δraw| {report['rawDiff']:.2e} (normalised as the runtime does)"
    if report["detections"] == 0:
        return (f"raw graph == torchvision on {where}: neither gives a detection scoring above "
                f"{model.score_thresh}, so only the counts (0) and the raw outputs were "
                f"compared, {raw_diff}")
    same = (f"raw graph == torchvision, {report['detections']} detections on {where}: its "
            f"decoding of the raw outputs is its forward, bit for bit; {raw_diff}, same count "
            f"per image, max |Δscore| {report['scoreDiff']:.2e}")
    if random_weights:
        return same + " (sorted); boxes not compared (random weights may tie scores)"
    return same + f", same labels, max |Δbox| {report['boxDiff']:.2e} px"


def export_single_stage_model(model, categories, args, size: tuple, folder: str) -> None:
    """FCOS / RetinaNet: the raw per-level graph (training/single_stage_raw.py), checked
    against torchvision, and its manifest with the `singleStage` block."""
    import torch
    import torchvision

    from single_stage_onnx import export_single_stage, single_stage_manifest
    from single_stage_raw import RawSingleStage

    if args.score_thresh is not None:
        model.score_thresh = args.score_thresh
    model.detections_per_img = args.detections
    raw = RawSingleStage(model, size)
    if args.verify:
        torch.manual_seed(0)
        pixels = torch.randint(0, 256, (args.verify, 3, *size)).float()
        print(verify_single_stage(model, raw, pixels, args.weights == "none"))
    path = os.path.join(folder, "model.onnx")
    export_single_stage(raw, path, args.opset)
    manifest = single_stage_manifest(
        os.path.basename(os.path.abspath(folder)), raw, model,
        manifest_classes(categories, raw.num_classes),
        schema=os.path.relpath(SCHEMA, os.path.abspath(folder)),
        source={"torchvision": torchvision.__version__, "arch": args.arch,
                "weights": args.weights})
    write(manifest, path, folder, args.uint8_input)


if __name__ == "__main__":
    main()
