"""The training loop of train.py (imports torch; train.py checks its arguments first).

Example:
    run(args)   # args as parsed by train.py
"""

from __future__ import annotations

import math
import os
import sys
import time

import numpy as np
import torch

from cli import SINGLE_STAGE
from dataset import targets_from_ids
from model import build_model, forward_with_semantic
from single_stage_model import build_single_stage, single_stage_losses, training_config
from world import SEMANTIC_CLASSES, THINGS


def load_set(folder: str):
    try:
        arrays = {k: np.load(f"{folder}/{k}.npy", mmap_mode="r")
                  for k in ("images", "ids", "semantic", "cats")}
    except FileNotFoundError as e:
        sys.exit(f"train.py: --data: expected images/ids/semantic/cats .npy files made by "
                 f"make_training_set.py, found no {e.filename!r}")
    # Frames never written (all-zero images) are skipped.
    filled = np.flatnonzero(arrays["images"][:, 0, :16].reshape(len(arrays["images"]), -1)
                            .any(axis=1))
    return arrays, filled


def batch(arrays, indices, rng, crop):
    images, targets, semantics = [], [], []
    for i in indices:
        img = np.array(arrays["images"][i])
        ids = np.asarray(arrays["ids"][i])
        sem = np.asarray(arrays["semantic"][i])
        if crop:
            h, w = ids.shape
            ch, cw = crop
            y0, x0 = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
            img, ids, sem = (a[y0:y0 + ch, x0:x0 + cw] for a in (img, ids, sem))
        if rng.random() < 0.5:
            img, ids, sem = img[:, ::-1], ids[:, ::-1], sem[:, ::-1]
        boxes, labels, masks = targets_from_ids(np.ascontiguousarray(ids), arrays["cats"][i])
        images.append(torch.from_numpy(np.ascontiguousarray(img)).permute(2, 0, 1).float() / 255)
        targets.append({"boxes": torch.from_numpy(boxes), "labels": torch.from_numpy(labels),
                        "masks": torch.from_numpy(masks)})
        semantics.append(torch.from_numpy(np.ascontiguousarray(sem)))
    return images, targets, torch.stack(semantics)


def run(args) -> None:
    """Trains as `args` say (see train.py) and writes the checkpoint to `args.out`."""
    out = args.out
    size = tuple(int(v) for v in args.size.split("x"))
    crop = None if args.crop == "none" else tuple(int(v) for v in args.crop.split("x"))
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    arrays, filled = load_set(args.data)
    print(f"{len(filled)} training frames", flush=True)
    single = args.arch in SINGLE_STAGE  # FCOS / RetinaNet: boxes and labels only
    if single:
        config = training_config(getattr(args, "anchor_scale", 1.0))
        model = build_single_stage(args.arch, size, len(THINGS) + 1, **config)
    else:
        model = build_model(args.arch, len(THINGS) + 1, len(SEMANTIC_CLASSES), size)
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim > 1]
    no_decay = [p for p in params if p.ndim <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 1e-4},
                           {"params": no_decay, "weight_decay": 0}], lr=args.lr, momentum=0.9)
    step, spent = 0, 0.0
    if args.init:  # fine-tuning: the weights only, a fresh optimizer and schedule
        model.load_state_dict(torch.load(args.init)["model"])
    elif getattr(args, "init_onnx", None) and not args.resume:
        from onnx_init import load_trunk_from_onnx

        print(f"{load_trunk_from_onnx(model, args.init_onnx)} trunk tensors from "
              f"{args.init_onnx}", flush=True)
    if args.resume:
        state = torch.load(args.resume)
        if single and state.get("config") != config:
            sys.exit(f"train.py: --resume: expected a checkpoint built as {config} "
                     f"(--anchor-scale), found {state.get('config')}")
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        step, spent = state["step"], state["seconds"]
    init_onnx = getattr(args, "init_onnx", None) or (
        state.get("init_onnx") if args.resume else None)

    def save():
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                    "seconds": spent, "arch": args.arch, "size": size, "init_onnx": init_onnx,
                    **({"config": config} if single else {})}, out + ".tmp")
        os.replace(out + ".tmp", out)

    model.train()
    if init_onnx:
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
            arrays, filled = load_set(args.data)  # the set may still be being written
        images, targets, semantics = batch(arrays, rng.choice(filled, args.batch), rng, crop)
        if single:
            losses = single_stage_losses(model, images, targets)
        else:
            losses = forward_with_semantic(model, images, targets, semantics)
        loss = sum(losses.values())
        if not torch.isfinite(loss):
            sys.exit(f"train.py: loss diverged at step {step}: "
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
            print(f"step {step} {spent / 60:.1f}min lr={lr:.4f} {parts}", flush=True)
        if time.time() - last_save > args.save_every * 60:
            save()
            last_save = time.time()
    save()
    print(f"done: {step} steps in {spent / 60:.1f} min -> {out}", flush=True)


