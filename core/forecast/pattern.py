"""Demand-pattern classification (Syntetos-Boylan): smooth, erratic, intermittent, lumpy."""

from __future__ import annotations

import numpy as np

PATTERNS = ("smooth", "erratic", "intermittent", "lumpy", "no demand")


def adi(y) -> np.ndarray:
    """Average inter-demand interval per SKU: observed (in-stock) days ÷ days with demand.

    ``inf`` for a SKU that never sold. Source: Syntetos, Boylan & Croston (2005), *JORS* 56:495.

    Parameters
    ----------
    y : array (SKUs × days), units per day, ``NaN`` where out of stock or before launch.

    Examples
    --------
    4 in-stock days (one missing), 2 with demand: ADI = 2.

    >>> adi([[0, 3, np.nan, 0, 5]]).tolist()
    [2.0]
    """
    y = np.asarray(y, dtype=float)
    observed = (~np.isnan(y)).sum(axis=1)
    demands = (np.nan_to_num(y) > 0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(demands > 0, observed / np.maximum(demands, 1), np.inf)


def cv2(y) -> np.ndarray:
    """Squared coefficient of variation of the non-zero demand sizes: ``(sd / mean)²`` (population sd).

    0 for a single demand, ``NaN`` with none.

    Examples
    --------
    Sizes 2 and 6: mean 4, sd 2, CV² = (2/4)² = 0.25.

    >>> cv2([[0, 2, np.nan, 6]]).tolist()
    [0.25]
    """
    y = np.nan_to_num(np.asarray(y, dtype=float))
    sizes = y > 0
    n = sizes.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, y.sum(axis=1) / n, np.nan)
        var = np.where(n > 0, (y * y).sum(axis=1) / n - mean ** 2, np.nan)
        return np.maximum(var, 0) / mean ** 2


def classify_pattern(adi_values, cv2_values, adi_cutoff: float = 1.32, cv2_cutoff: float = 0.49) -> np.ndarray:
    """Syntetos-Boylan quadrants: smooth (ADI < 1.32, CV² < 0.49), erratic (ADI < 1.32, CV² ≥ 0.49),
    intermittent (ADI ≥ 1.32, CV² < 0.49), lumpy (both high); "no demand" without a sale.

    Examples
    --------
    >>> classify_pattern([1.0, 1.0, 3.0, 3.0, np.inf], [0.1, 0.9, 0.1, 0.9, np.nan]).tolist()
    ['smooth', 'erratic', 'intermittent', 'lumpy', 'no demand']
    """
    a = np.asarray(adi_values, dtype=float)
    c = np.asarray(cv2_values, dtype=float)
    high_adi, high_cv2 = a >= adi_cutoff, c >= cv2_cutoff
    labels = np.select([~np.isfinite(a), ~high_adi & ~high_cv2, ~high_adi, ~high_cv2],
                       ["no demand", "smooth", "erratic", "intermittent"], "lumpy")
    return labels.astype(object)
