"""Pre-renders the pose training set into .npy files (images; person boxes, keypoints and
flags per frame) at the model's input size, so training spends its cores on the network.
Plaza sequences use seeds from 200000 up: the plaza demo (make_plaza_demo.py) and the
export's checks use seeds below that.

Usage: python3 make_pose_training_set.py OUT_DIR --frames 6000 [--size 288x512] [--shard 0/2]
           [--seed-base 200000] [--pose-mix 0.78,0.1,0.07,0.05] [--people 3-25] [--near 0]

`--pose-mix` (walk, stand, wave, reach shares) and `--people` (a range, drawn per sequence)
make a set that leans on rarer poses and crowds, `--near` (a share of people) on people near
the camera, large and cut by the frame's edge; `--seed-base` keeps its plazas apart from
the default set's (use 300000 and up).

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

from pose_mix import check_pose_mix

FRAMES_PER_SEQUENCE = 4
POSE_TRAIN_SEED_BASE = 200000


def open_arrays(folder: str, frames: int, size: tuple, mode: str) -> dict:
    """The four memory-mapped arrays of a pose training set (mode "w+", "r+" or "r")."""
    import numpy as np

    from pose_dataset import MAX_PEOPLE

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
    ap.add_argument("--seed-base", type=int, default=POSE_TRAIN_SEED_BASE,
                    help="seed of the first sequence (the demo and checks use seeds < 200000)")
    ap.add_argument("--pose-mix", help="walk,stand,wave,reach shares (the plaza's by default)")
    ap.add_argument("--people", help="lo-hi: people per sequence (the plaza's 3-25 by default)")
    ap.add_argument("--near", type=float, default=0.0,
                    help="share of people placed near the camera (large, cut by the frame)")
    args = ap.parse_args(argv)
    if args.seed_base < POSE_TRAIN_SEED_BASE:
        sys.exit(f"make_pose_training_set: --seed-base: expected {POSE_TRAIN_SEED_BASE} or more "
                 f"(lower seeds are the demo's and the checks'), found {args.seed_base}")
    try:
        mix = None if args.pose_mix is None else check_pose_mix(args.pose_mix.split(","))
    except ValueError as e:
        sys.exit(f"make_pose_training_set: --pose-mix: {e}")
    people = None
    if args.people is not None:
        try:
            people = tuple(int(v) for v in args.people.split("-"))
            if len(people) != 2 or not 1 <= people[0] <= people[1]:
                raise ValueError
        except ValueError:
            sys.exit(f"make_pose_training_set: --people: expected lo-hi with 1 <= lo <= hi, "
                     f"found {args.people!r}")
    if not 0 <= args.near <= 1:
        sys.exit(f"make_pose_training_set: --near: expected a share in [0, 1], found {args.near}")
    h, w = (int(v) for v in args.size.split("x"))
    k, n = (int(v) for v in args.shard.split("/"))
    if not 0 <= k < n:
        sys.exit(f"make_pose_training_set: --shard: expected k/n with 0 <= k < n, found "
                 f"{args.shard!r}")
    import numpy as np

    from pose_dataset import MAX_PEOPLE, pose_training_sample
    from pose_world import PlazaSequence

    if people is not None and people[1] > MAX_PEOPLE:
        sys.exit(f"make_pose_training_set: --people: expected at most {MAX_PEOPLE} people (the "
                 f"rows of a frame), found {args.people!r}")
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
        rng = np.random.default_rng(args.seed_base + s)
        count = None if people is None else int(
            np.random.default_rng([args.seed_base + s, 1]).integers(people[0], people[1] + 1))
        plaza = PlazaSequence(args.seed_base + s, people=count, pose_mix=mix, near=args.near)
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
