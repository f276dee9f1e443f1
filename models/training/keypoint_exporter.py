"""The work of keypoint_export.py (imports torch; keypoint_export.py checks its arguments
first): loading a checkpoint, checking the raw graph, exporting it, and its manifest.

Example:
    export_keypoints(args, folder)   # args as parsed by keypoint_export.py
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import torch
from PIL import Image

from keypoint_model import COORDINATE_HEADS, model_from_config
from keypoint_raw import RawKeypointDetector, check_keypoints
from model import MEAN, STD
from onnx_export import export_raw, manifest_dict
from pose_skeleton import FLIP, KEYPOINTS, OKS_SIGMAS, SKELETON
from pose_world import PlazaSequence
from uint8_input import convert_file
from world import COLOURS, PERSON

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schemas",
                      "manifest.schema.json")
VERIFY_SEED_BASE = 70000  # held-out plaza sequences that check the export
NUM_KEYPOINTS = len(KEYPOINTS)


def load(checkpoint: str):
    """(model in eval mode, input size (H, W), checkpoint dict) of a keypoint_train.py file."""
    try:
        state = torch.load(checkpoint, map_location="cpu")
    except FileNotFoundError:
        sys.exit(f"keypoint_export.py: --checkpoint: expected a checkpoint written by "
                 f"keypoint_train.py, found no file {checkpoint!r}")
    if state.get("arch") != "keypointrcnn":
        sys.exit(f"keypoint_export.py: --checkpoint: expected a keypoint_train.py checkpoint "
                 f"(arch 'keypointrcnn'), found arch {state.get('arch')!r}")
    size = tuple(state["size"])
    model = model_from_config(size, state["config"])
    model.load_state_dict(state["model"])
    return model.eval(), size, state


def plaza_pixels(size: tuple, seeds: list, noise: float | None = None) -> torch.Tensor:
    """Frame 5 of each held-out plaza seed at the model size, [N, 3, H, W] floats 0..255."""
    h, w = size
    frames = []
    for seed in seeds:
        plaza = PlazaSequence(seed, people=14)
        if noise is not None:
            plaza.noise = noise
        img = Image.fromarray(plaza.render(5).image).resize((w, h), Image.BILINEAR)
        frames.append(torch.from_numpy(np.asarray(img).copy()).permute(2, 0, 1).float())
    return torch.stack(frames)


def keypoint_output_spec(name: str, heatmap_size: int) -> dict:
    if name == "keypoints":
        return {"name": name, "role": name, "dtype": "float32",
                "shape": ["detections", NUM_KEYPOINTS, 2]}
    return {"name": name, "role": name, "dtype": "float32",
            "shape": ["detections", NUM_KEYPOINTS, heatmap_size, heatmap_size]}


def keypoint_manifest(name: str, size: tuple, names: list, state: dict, folder: str) -> dict:
    """The manifest of a raw keypoint graph: the street manifest's fields (kind
    "keypointrcnn", one class: person) plus the keypoint output and a `keypoints` block."""
    config = state["config"]
    classes = [{"id": 1, "name": "person", "isThing": True, "color": list(COLOURS[PERSON])}]
    # The schema's `training` has steps, minutes and script: the variant goes into script.
    flags = f" --head {config['head']}"
    if config["head"] == "heatmap":
        flags += f" --sigma {config['sigma']:g} --heatmap-size {config['heatmap_size']}"
    if state.get("heads_only"):
        flags += " --heads-only"
    if state.get("keypoint_weight", 1.0) != 1.0:
        flags += f" --keypoint-weight {state['keypoint_weight']:g}"
    training = {"steps": state["step"], "minutes": round(state["seconds"] / 60, 1),
                "script": "models/training/keypoint_train.py" + flags}
    out = manifest_dict(name, "keypointrcnn", size, names[:4], True, MEAN, STD, classes, 50,
                        schema=os.path.relpath(SCHEMA, os.path.abspath(folder)),
                        training=training)
    out["outputs"].append(keypoint_output_spec(names[4], config["heatmap_size"]))
    del out["postprocess"]["maskActivation"]
    del out["defaults"]["maskThreshold"]
    regression = config["head"] in COORDINATE_HEADS
    out["keypoints"] = {
        "names": KEYPOINTS, "skeleton": SKELETON, "flip": FLIP, "sigmas": OKS_SIGMAS,
        "encoding": "regression" if regression else "heatmap",
        **({} if regression else {"heatmapSize": config["heatmap_size"],
                                  "decode": "torchvision"}),
    }
    training = out.pop("training")
    out["training"] = training  # keep `training` last, as the street manifests
    return out


def export_keypoints(args, folder: str) -> None:
    """Exports `args.checkpoint` into `folder` as keypoint_export.py's options say."""
    torch.set_num_threads(os.cpu_count() or 2)
    model, size, state = load(args.checkpoint)
    model.rpn._post_nms_top_n["testing"] = args.proposals
    candidate_nms = None if args.candidate_nms >= 1 else args.candidate_nms
    # eval() on the wrapper too: torch.onnx.export puts back the mode it found, and a
    # wrapper left in training mode would switch the model's BatchNorm and RPN to training.
    raw = RawKeypointDetector(model, size, candidate_nms).eval()
    if args.verify_frames:
        pixels = plaza_pixels(size, [VERIFY_SEED_BASE + k for k in range(args.verify_frames)])
        box, score, kp, count = check_keypoints(model, raw, pixels)
        what = "no keypoints compared" if kp is None else f"|Δkeypoint| {kp:.2e} px"
        print(f"raw graph == torchvision on {args.verify_frames} frames, {count} candidates "
              f"(max |Δbox| {box:.2e} px, |Δscore| {score:.2e}, {what})")
        if count == 0:
            print("warning: no candidate above the score threshold: only the counts were "
                  "compared (an untrained model?)")
    path = os.path.join(folder, "model.onnx")
    names = export_raw(raw, path, args.opset)
    name = os.path.basename(os.path.abspath(folder))
    spec = keypoint_manifest(name, size, names, state, folder)
    if candidate_nms is not None:
        # The runtime's final NMS at the graph's candidate IoU: it suppresses nothing the
        # graph kept. On three validation plazas (seeds 41-43, not the demo) this beat hard
        # NMS 0.5 on box AP by 0.004-0.008 with keypoint AP equal or better: people who
        # overlap a standing neighbour by IoU 0.5-0.6 keep their own detection.
        spec["defaults"]["nms"]["iouThreshold"] = max(0.5, candidate_nms)
    if args.uint8_input:
        spec["input"] = convert_file(path, spec["input"])
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB) and manifest.json")
    if args.fixture:
        from keypoint_fixture import write_fixture

        write_fixture(raw, model, size, spec, args.fixture)
