"""Numbers on one scale: weighted quantiles, robust scaling, smooth clipping."""

from __future__ import annotations

import numpy as np

__all__ = ["centre_and_scale", "smooth_clip", "weighted_quantiles"]


def smooth_clip(x, bound: float = 3.0, out=None):
    r"""RealMLP's smooth clipping, :math:`x / \sqrt{1 + (x / b)^2}`.

    Close to the identity near 0 and bounded by :math:`\pm b`, so that a few
    extreme values cannot dominate a network's first layer.

    Parameters
    ----------
    x : ndarray
        Values (NaN stays NaN).
    bound : float, default=3.0
        The limit :math:`b` of the output's magnitude.
    out : ndarray, default=None
        Where to write the result (may be ``x``).

    Returns
    -------
    y : ndarray
        The clipped values.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.preprocessing import smooth_clip
    >>> smooth_clip(np.array([0.0, 1.0, 100.0])).round(3)
    array([0.   , 0.949, 2.999])
    """
    x = np.asarray(x)
    ratio = np.divide(x, bound)
    np.square(ratio, out=ratio)
    ratio += 1
    np.sqrt(ratio, out=ratio)
    return np.divide(x, ratio, out=out)


def weighted_quantiles(values, weights, qs):
    """Weighted quantiles (the inverse of the weighted empirical CDF).

    The mean of the two candidates where the CDF crosses ``q`` exactly, so
    that a weight of 2 and a repeated row give the same quantiles.
    """
    order = np.argsort(values, kind="stable")
    values, cdf = values[order], np.cumsum(weights[order])
    cdf /= cdf[-1]
    out = []
    for q in qs:
        low = min(np.searchsorted(cdf, q - 1e-12, side="left"), values.size - 1)
        high = min(np.searchsorted(cdf, q + 1e-12, side="right"), values.size - 1)
        out.append((values[low] + values[high]) / 2)
    return out


def centre_and_scale(values, seen, weights) -> tuple[float, float]:
    """Return a numeric column's weighted median and 1 / IQR (half range at a tie)."""
    kept = ~np.isnan(values) & seen
    if not kept.any():
        return 0.0, 0.0
    values = values[kept]
    q25, median, q75 = weighted_quantiles(values, weights[kept], [0.25, 0.5, 0.75])
    spread = q75 - q25 if q75 > q25 else (values.max() - values.min()) / 2
    return median, 1.0 / spread if spread > 0 else 0.0
