"""The one scoring curve every sub-score uses: linear between a zero point and a full point."""

from __future__ import annotations

import numpy as np


def linear_score(value, zero_at: float, full_at: float):
    """Score 0-100, linear from ``zero_at`` (0 points) to ``full_at`` (100 points), clipped.

    Works in either direction: ``full_at`` may be below ``zero_at`` (lower is better). Missing
    values stay missing.

    >>> float(linear_score(3.5, zero_at=1, full_at=6))
    50.0
    >>> float(linear_score(0.3, zero_at=0.5, full_at=0.0))   # 30% aged, 50% scores 0
    40.0
    """
    if full_at == zero_at:
        raise ValueError("full_at and zero_at must differ")
    fraction = (np.asarray(value, dtype=float) - zero_at) / (full_at - zero_at)
    return np.clip(fraction, 0.0, 1.0) * 100.0
