"""The training loop of keypoint_train.py (imports torch; keypoint_train.py checks its
arguments first).

Example:
    run(args)   # args as parsed by keypoint_train.py
"""

from __future__ import annotations

import math
import os
import sys
import time

import numpy as np
import torch

from keypoint_losses import training_losses
from keypoint_model import config_of, head_parameters, model_from_config
from pose_skeleton import FLIP

ARRAYS = ("images", "boxes", "keypoints", "flags")


class _Joined:
    """Rows of several arrays read as one (the frames of several training sets)."""

    def __init__(self, parts):
        self.parts = parts
        self.starts = np.cumsum([0] + [len(p) for p in parts])
        self.shape = (int(self.starts[-1]),) + parts[0].shape[1:]

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, i):
        k = int(np.searchsorted(self.starts, i, side="right")) - 1
        return self.parts[k][i - self.starts[k]]


def load_pose_set(folders: str):
    """The memory-mapped arrays of make_pose_training_set.py (several sets, comma-separated,
    read as one) and the indices of the frames already written (a frame never written is
    all zero)."""
    sets = []
    for folder in folders.split(","):
        try:
            sets.append({k: np.load(f"{folder}/{k}.npy", mmap_mode="r") for k in ARRAYS})
        except FileNotFoundError as e:
            sys.exit(f"keypoint_train.py: --data: expected {'/'.join(ARRAYS)} .npy files made "
                     f"by make_pose_training_set.py, found no {e.filename!r}")
    filled, offset = [], 0
    for arrays in sets:
        images = arrays["images"]
        filled.append(offset + np.flatnonzero(images[:, 0, :16].reshape(len(images), -1)
                                              .any(axis=1)))
        offset += len(images)
    if len(sets) == 1:
        return sets[0], filled[0]
    return {k: _Joined([a[k] for a in sets]) for k in ARRAYS}, np.concatenate(filled)


def sample(arrays, i: int, flip: bool):
    """One frame as (image tensor 3xHxW in 0..1, torchvision target), flipped if asked
    (keypoints swap left and right)."""
    img = np.array(arrays["images"][i])
    flags = np.asarray(arrays["flags"][i])
    keep = flags == 1
    boxes = np.array(arrays["boxes"][i][keep])
    kps = np.array(arrays["keypoints"][i][keep])
    w = img.shape[1]
    if flip:
        img = img[:, ::-1]
        boxes = np.stack([w - boxes[:, 2], boxes[:, 1], w - boxes[:, 0], boxes[:, 3]], 1)
        kps = kps[:, FLIP]
        labelled = kps[..., 2] > 0
        kps[..., 0] = np.where(labelled, w - kps[..., 0], 0)
    ok = (boxes[:, 2] - boxes[:, 0] >= 1) & (boxes[:, 3] - boxes[:, 1] >= 1)
    boxes, kps = boxes[ok].reshape(-1, 4), kps[ok].reshape(-1, 17, 3)
    image = torch.from_numpy(np.ascontiguousarray(img)).permute(2, 0, 1).float() / 255
    return image, {"boxes": torch.from_numpy(boxes.astype(np.float32)),
                   "labels": torch.ones(len(boxes), dtype=torch.int64),
                   "keypoints": torch.from_numpy(kps.astype(np.float32))}


def run(args) -> None:
    """Trains as `args` say (see keypoint_train.py) and writes the checkpoint to `args.out`."""
    out = args.out
    size = tuple(int(v) for v in args.size.split("x"))
    config = config_of(args)
    heads_only = bool(args.heads_only)
    state = None
    if args.resume:
        state = torch.load(args.resume)
        config, size, heads_only = state["config"], tuple(state["size"]), state["heads_only"]
        print(f"resuming {args.resume}: step {state['step']}, {config}", flush=True)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed + (state["step"] if state else 0))

    arrays, filled = load_pose_set(args.data)
    print(f"{len(filled)} training frames", flush=True)
    model = model_from_config(size, config)
    if args.init and not state:
        init = torch.load(args.init)["model"]
        if heads_only:  # a fresh keypoint head on the shared trunk (or a fresh predictor)
            fresh = ("roi_heads.keypoint_predictor.",) if getattr(args, "keep_head_convs", False) \
                else ("roi_heads.keypoint_head.", "roi_heads.keypoint_predictor.")
            init = {k: v for k, v in init.items() if not k.startswith(fresh)}
        missing, unexpected = model.load_state_dict(init, strict=False)
        if unexpected or (not heads_only and missing):
            sys.exit(f"keypoint_train.py: --init: {args.init} does not fit this model "
                     f"(missing {missing[:3]}, unexpected {unexpected[:3]})")
    elif getattr(args, "init_onnx", None) and not state:
        from onnx_init import load_trunk_from_onnx

        loaded = load_trunk_from_onnx(model, args.init_onnx, everything=True)
        print(f"{loaded} tensors from {args.init_onnx}", flush=True)
    params = head_parameters(model) if heads_only else [
        p for p in model.parameters() if p.requires_grad]
    if heads_only:
        for p in model.parameters():
            p.requires_grad_(False)
        for p in params:
            p.requires_grad_(True)
    decay = [p for p in params if p.ndim > 1]
    no_decay = [p for p in params if p.ndim <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 1e-4},
                           {"params": no_decay, "weight_decay": 0}], lr=args.lr, momentum=0.9)
    step, spent = 0, 0.0
    if state:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        step, spent = state["step"], state["seconds"]

    def save():
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                    "seconds": spent, "size": size, "config": config, "heads_only": heads_only,
                    "init": args.init, "arch": "keypointrcnn",
                    "keypoint_weight": getattr(args, "keypoint_weight", 1.0),
                    "init_onnx": getattr(args, "init_onnx", None) or (state or {}).get("init_onnx")}, out + ".tmp")
        os.replace(out + ".tmp", out)

    model.train()
    if heads_only:
        model.backbone.eval()  # frozen BatchNorm statistics
    elif getattr(args, "init_onnx", None) or (state and state.get("init_onnx")):
        model.backbone.body.eval()  # the street statistics folded into the convs stay
    budget = args.minutes * 60
    start = time.time() - spent
    last_save = time.time()
    smooth = {}
    while True:
        spent = time.time() - start
        progress = spent / budget
        if progress >= 1:
            break
        warm = min(1.0, 0.05 + 0.95 * step / max(1, args.warmup))
        lr = args.lr * warm * 0.5 * (1 + math.cos(math.pi * progress))
        for g in opt.param_groups:
            g["lr"] = lr
        if step % 200 == 0 and len(filled) < len(arrays["images"]):
            arrays, filled = load_pose_set(args.data)  # the set may still be being written
        pairs = [sample(arrays, int(i), rng.random() < 0.5)
                 for i in rng.choice(filled, args.batch)]
        losses = training_losses(model, [p[0] for p in pairs], [p[1] for p in pairs], config,
                                 heads_only)
        losses["loss_keypoint"] = losses["loss_keypoint"] * getattr(args, "keypoint_weight", 1.0)
        loss = sum(losses.values())
        if not torch.isfinite(loss):
            sys.exit(f"keypoint_train.py: loss diverged at step {step}: "
                     f"{ {k: float(v) for k, v in losses.items()} }")
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 10.0)
        opt.step()
        step += 1
        for k, v in losses.items():
            smooth[k] = 0.98 * smooth.get(k, float(v)) + 0.02 * float(v)
        if step % args.log_every == 0:
            parts = " ".join(f"{k[5:]}={v:.3f}" for k, v in smooth.items())
            print(f"step {step} {spent / 60:.1f}min {spent / step:.2f}s/step lr={lr:.4f} {parts}",
                  flush=True)
        if time.time() - last_save > args.save_every * 60:
            save()
            last_save = time.time()
    save()
    print(f"done: {step} steps in {spent / 60:.1f} min -> {out}", flush=True)
