"""Trains the small SOLOv2 (solov2_model.py) on the pre-rendered street set, on the CPU.

Usage:
    python3 solov2_train.py --data data/train --out runs/solov2/checkpoint.pt --minutes 60
    python3 solov2_train.py --data data/train --out runs/solov2/checkpoint.pt --minutes 60 \\
        --resume runs/solov2/checkpoint.pt

The street set of make_training_set.py (images, ids, cats .npy at the model size): instance
masks, boxes and labels 1..4 from the id maps (dataset.targets_from_ids: crowd instances and
instances under 6 pixels left out), random horizontal flips. Losses: SOLOv2's focal loss on
the categories and Dice loss (x 3) on the masks (solov2_losses.py).

Time-boxed as train.py: the learning rate warms up linearly for `--warmup` steps, then
follows a cosine from `--lr` to 0 over the `--minutes` budget. SGD with momentum 0.9 and
weight decay 1e-4 (not on norms and biases), gradients clipped to `--clip` (SOLO: 35; the
from-scratch BatchNorm backbone is steadier at 10). A checkpoint is written every
`--save-every` minutes and at the end; `--resume` continues one (weights, optimizer,
schedule and the network's configuration).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

from cli import output_folder, require_torch

SCRIPT = "solov2_train.py"
ARRAYS = ("images", "ids", "cats")


def load_street_set(folder: str):
    """The memory-mapped arrays of make_training_set.py and the frames already written."""
    import numpy as np

    try:
        arrays = {k: np.load(f"{folder}/{k}.npy", mmap_mode="r") for k in ARRAYS}
    except FileNotFoundError as e:
        sys.exit(f"{SCRIPT}: --data: expected {'/'.join(ARRAYS)} .npy files made by "
                 f"make_training_set.py, found no {e.filename!r}")
    images = arrays["images"]
    filled = np.flatnonzero(images[:, 0, :16].reshape(len(images), -1).any(axis=1))
    if len(filled) == 0:
        sys.exit(f"{SCRIPT}: --data: expected rendered frames in {folder!r}, found none")
    return arrays, filled


def sample(arrays, i: int, flip: bool):
    """Frame i as (uint8 image tensor 3xHxW, boxes, labels, uint8 masks), flipped if asked."""
    import numpy as np
    import torch

    from dataset import targets_from_ids

    img, ids = np.array(arrays["images"][i]), np.asarray(arrays["ids"][i])
    if flip:
        img, ids = img[:, ::-1], ids[:, ::-1]
    boxes, labels, masks = targets_from_ids(np.ascontiguousarray(ids), arrays["cats"][i])
    image = torch.from_numpy(np.ascontiguousarray(img)).permute(2, 0, 1)
    return image, torch.from_numpy(boxes), torch.from_numpy(labels), torch.from_numpy(masks)


def run(args) -> None:
    """Trains as `args` say and writes the checkpoint to `args.out`."""
    import numpy as np
    import torch

    from model import MEAN, STD
    from onnx_export import normalise
    from solov2_losses import solov2_losses, solov2_targets
    from solov2_model import MASK_STRIDE, SOLOV2_CONFIG, Solov2

    size = tuple(int(v) for v in args.size.split("x"))
    config, state = dict(SOLOV2_CONFIG), None
    if args.resume:
        try:
            state = torch.load(args.resume)
        except Exception as e:  # not a torch file: pickle, zip or EOF errors
            sys.exit(f"{SCRIPT}: --resume: expected a {SCRIPT} checkpoint, found "
                     f"{args.resume!r} unreadable ({type(e).__name__}: {e})")
        if not isinstance(state, dict) or state.get("arch") != "solov2":
            found = state.get("arch") if isinstance(state, dict) else type(state).__name__
            sys.exit(f"{SCRIPT}: --resume: expected a {SCRIPT} checkpoint (arch 'solov2'), "
                     f"found arch {found!r}")
        config, size = state["config"], tuple(state["size"])
        print(f"resuming {args.resume}: step {state['step']}", flush=True)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed + (state["step"] if state else 0))
    arrays, filled = load_street_set(args.data)
    if tuple(arrays["images"].shape[1:3]) != size:
        sys.exit(f"{SCRIPT}: --data: expected frames of {size[0]}x{size[1]} (--size), found "
                 f"{arrays['images'].shape[1]}x{arrays['images'].shape[2]}")
    print(f"{len(filled)} training frames", flush=True)
    model = Solov2(config)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD([{"params": [p for p in params if p.ndim > 1], "weight_decay": 1e-4},
                           {"params": [p for p in params if p.ndim <= 1], "weight_decay": 0}],
                          lr=args.lr, momentum=0.9)
    step, spent = 0, 0.0
    init_onnx = args.init_onnx or (state or {}).get("init_onnx")
    if args.init_onnx and not state:
        from onnx_init import load_trunk_from_onnx

        print(f"{load_trunk_from_onnx(model, args.init_onnx)} trunk tensors from "
              f"{args.init_onnx}", flush=True)
    if state:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        step, spent = state["step"], state["seconds"]

    def save():
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                    "seconds": spent, "size": size, "config": config, "arch": "solov2",
                    "init_onnx": init_onnx},
                   args.out + ".tmp")
        os.replace(args.out + ".tmp", args.out)

    feat_size = (size[0] // MASK_STRIDE, size[1] // MASK_STRIDE)
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
            arrays, filled = load_street_set(args.data)  # the set may still be being written
        batch = [sample(arrays, int(i), rng.random() < 0.5)
                 for i in rng.choice(filled, args.batch)]
        images = normalise(torch.stack([b[0] for b in batch]).float(), MEAN, STD)
        targets = [solov2_targets(b[1], b[2], b[3], config, feat_size) for b in batch]
        cates, kernels, mask_features = model(images)
        losses = solov2_losses(cates, kernels, mask_features, targets)
        loss = sum(losses.values())
        if not torch.isfinite(loss):
            sys.exit(f"{SCRIPT}: loss diverged at step {step}: "
                     f"{ {k: float(v) for k, v in losses.items()} }")
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, args.clip)
        opt.step()
        step += 1
        for k, v in losses.items():
            smooth[k] = 0.9 * smooth.get(k, float(v)) + 0.1 * float(v)
        if step % args.log_every == 0:
            parts = " ".join(f"{k[5:]}={v:.3f}" for k, v in smooth.items())
            print(f"step {step} {spent / 60:.1f}min {spent / step:.2f}s/step lr={lr:.4f} {parts}",
                  flush=True)
        if time.time() - last_save > args.save_every * 60:
            save()
            last_save = time.time()
    save()
    print(f"done: {step} steps in {spent / 60:.1f} min -> {args.out}", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Train the small SOLOv2 on the street set")
    ap.add_argument("--data", default="data/train")
    ap.add_argument("--out", required=True, help="checkpoint path (.pt)")
    ap.add_argument("--size", default="288x512", help="HxW of the model input (multiples of 32)")
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--clip", type=float, default=10.0, help="gradient norm clip")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--save-every", type=float, default=5, help="minutes")
    ap.add_argument("--resume", help="checkpoint to continue from (weights, optimizer, schedule)")
    ap.add_argument("--init-onnx", help="an exported street graph (models/*/model.onnx) whose "
                    "backbone and FPN start a new run (onnx_init.py)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--log-every", type=int, default=50)
    args = ap.parse_args(argv)
    try:
        h, w = (int(v) for v in args.size.split("x"))
        assert h > 0 and w > 0 and h % 32 == 0 and w % 32 == 0
    except (ValueError, AssertionError):
        sys.exit(f"{SCRIPT}: --size: expected HxW, multiples of 32 (e.g. 288x512), found "
                 f"{args.size!r}")
    for flag, value in (("--minutes", args.minutes), ("--lr", args.lr), ("--clip", args.clip),
                        ("--save-every", args.save_every)):
        if not value > 0:
            sys.exit(f"{SCRIPT}: {flag}: expected a positive number, found {value}")
    for flag, value in (("--batch", args.batch), ("--threads", args.threads),
                        ("--log-every", args.log_every)):
        if value < 1:
            sys.exit(f"{SCRIPT}: {flag}: expected 1 or more, found {value}")
    if args.resume and not os.path.isfile(args.resume):
        sys.exit(f"{SCRIPT}: --resume: expected a checkpoint file, found no {args.resume!r}")
    output_folder(os.path.dirname(os.path.abspath(args.out)), SCRIPT)
    require_torch(SCRIPT)
    run(args)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
