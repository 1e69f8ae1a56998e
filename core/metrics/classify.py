"""ABC classes by revenue and XYZ classes by demand variability."""

from __future__ import annotations

import numpy as np
import pandas as pd


def abc_class(revenue: pd.Series, a_share: float = 0.80, b_share: float = 0.95) -> pd.Series:
    """ABC by revenue: rank SKUs by revenue, highest first; those making up the first ``a_share`` of
    the total are A, up to ``b_share`` B, the rest C. A SKU is in the class where its revenue starts
    (the SKU that crosses 80% is still A). No revenue is C.

    >>> abc_class(pd.Series([50, 30, 15, 5], index=list("abcd"))).tolist()
    ['A', 'A', 'B', 'C']
    """
    values = revenue.fillna(0).clip(lower=0).astype(float)
    total = values.sum()
    if total <= 0:
        return pd.Series("C", index=revenue.index)
    ordered = values.sort_values(ascending=False, kind="stable")
    before = (ordered.cumsum() - ordered) / total  # share of revenue of the SKUs ranked above
    classes = np.select([ordered <= 0, before < a_share - 1e-12, before < b_share - 1e-12], ["C", "A", "B"], "C")
    return pd.Series(classes, index=ordered.index).reindex(revenue.index)


def xyz_class(cv: pd.Series, x_cv: float = 0.5, y_cv: float = 1.0) -> pd.Series:
    """XYZ by the coefficient of variation of weekly demand: X up to ``x_cv`` (steady), Y up to
    ``y_cv``, Z above (erratic) or with no demand at all (CV undefined)."""
    values = cv.astype(float)
    return pd.Series(np.select([values <= x_cv, values <= y_cv], ["X", "Y"], "Z"), index=cv.index)


def coefficient_of_variation(weekly_units: pd.DataFrame) -> pd.Series:
    """CV of each row's weekly units: population standard deviation / mean; NaN when the mean is 0.

    >>> float(coefficient_of_variation(pd.DataFrame([[10, 10, 10, 10]])).iloc[0])
    0.0
    """
    mean = weekly_units.mean(axis=1)
    return (weekly_units.std(axis=1, ddof=0) / mean.where(mean > 0)).astype(float)
