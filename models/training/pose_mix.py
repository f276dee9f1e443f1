"""The shares of the plaza's poses (walk, stand, wave, reach), with no heavy import, so that
scripts can check a `--pose-mix` before loading numpy.

Example:
    check_pose_mix("0.5,0.2,0.18,0.12".split(","))   # (0.5, 0.2, 0.18, 0.12)
    check_pose_mix([1, 0])                           # ValueError: expected four shares ...
"""

from __future__ import annotations

POSE_MIX = (0.78, 0.1, 0.07, 0.05)  # walk, stand, wave, reach: the demo's and validation's


def check_pose_mix(mix) -> tuple:
    """`mix` as a tuple of four shares (walk, stand, wave, reach) that sum to 1, or a
    ValueError that says what was found."""
    try:
        shares = tuple(float(v) for v in mix)
    except ValueError:
        shares = None
    if shares is None or len(shares) != 4 or min(shares) < 0 or abs(sum(shares) - 1) > 1e-6:
        raise ValueError(f"expected four shares (walk, stand, wave, reach) >= 0 that sum to 1, "
                         f"found {','.join(str(v) for v in mix)!r}")
    return shares
