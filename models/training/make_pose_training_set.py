"""Pre-renders the pose training set into .npy files (images; person boxes, keypoints and
flags per frame) at the model's input size, so training spends its cores on the network.
Plaza sequences use seeds from 200000 up: the plaza demo (make_plaza_demo.py) and the
export's checks use seeds below that.

Usage: python3 make_pose_training_set.py OUT_DIR --frames 6000 [--size 288x512] [--shard 0/2]

Writes under OUT_DIR (e.g. data/pose, git-ignored): images.npy uint8 [N, H, W, 3],
boxes.npy float32 [N, P, 4] (x1, y1, x2, y2 of the visible pixels), keypoints.npy float32
[N, P, 17, 3] (x, y, v in COCO's order and coordinates), flags.npy int8 [N, P] (1 target,
-1 too hidden or small: left out, 0 no one), with P = pose_dataset.MAX_PEOPLE. Shards write
every n-th sequence into the same files, so several processes can fill them at once.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from pose_dataset import MAX_PEOPLE, pose_training_sample
from pose_world import PlazaSequence

FRAMES_PER_SEQUENCE = 4
POSE_TRAIN_SEED_BASE = 200000


def open_arrays(folder: str, frames: int, size: tuple, mode: str) -> dict:
    """The four memory-mapped arrays of a pose training set (mode "w+", "r+" or "r")."""
    h, w = size
    shapes = {"images": (np.uint8, (frames, h, w, 3)),
              "boxes": (np.float32, (frames, MAX_PEOPLE, 4)),
              "keypoints": (np.float32, (frames, MAX_PEOPLE, 17, 3)),
              "flags": (np.int8, (frames, MAX_PEOPLE))}
    return {k: np.lib.format.open_memmap(f"{folder}/{k}.npy", mode, dtype, shape)
            for k, (dtype, shape) in shapes.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--frames", type=int, default=6000)
    ap.add_argument("--size", default="288x512", help="HxW of the model input")
    ap.add_argument("--shard", default="0/1", help="k/n: write every n-th sequence from k")
    ap.add_argument("--from-sequence", type=int, default=0, help="skip sequences below this")
    args = ap.parse_args(argv)
    h, w = (int(v) for v in args.size.split("x"))
    k, n = (int(v) for v in args.shard.split("/"))
    if not 0 <= k < n:
        sys.exit(f"make_pose_training_set: --shard: expected k/n with 0 <= k < n, found "
                 f"{args.shard!r}")
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as e:
        sys.exit(f"make_pose_training_set: cannot create output folder {args.out!r}: "
                 f"{e.strerror}")
    N = args.frames
    mode = "r+" if os.path.exists(f"{args.out}/images.npy") else "w+"
    arrays = open_arrays(args.out, N, (h, w), mode)
    if arrays["images"].shape != (N, h, w, 3):
        sys.exit(f"make_pose_training_set: {args.out}/images.npy: expected shape "
                 f"{(N, h, w, 3)}, found {arrays['images'].shape} (delete the folder or match "
                 f"--frames / --size)")
    for s in range(k, N // FRAMES_PER_SEQUENCE, n):
        if s < args.from_sequence:
            continue
        plaza = PlazaSequence(POSE_TRAIN_SEED_BASE + s)
        rng = np.random.default_rng(POSE_TRAIN_SEED_BASE + s)
        for j, t in enumerate(rng.integers(0, 600, FRAMES_PER_SEQUENCE)):
            i = s * FRAMES_PER_SEQUENCE + j
            sample = pose_training_sample(plaza.render(int(t)), (h, w), rng)
            for name, value in zip(("images", "boxes", "keypoints", "flags"), sample):
                arrays[name][i] = value
        if s % 100 == k:
            print(f"shard {k}/{n}: sequence {s}", flush=True)
    for a in arrays.values():
        a.flush()


if __name__ == "__main__":
    main()
