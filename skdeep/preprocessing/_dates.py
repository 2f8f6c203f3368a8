"""Date columns as numbers: the timestamp, and the calendar parts that vary.

A date is neither a number a network can scale (its parts repeat: every
Monday, every December) nor a category (new dates arrive every day). So a
date column becomes its timestamp (seconds since 1970-01-01 UTC, for
trends), the year, and the cyclic parts -- month, day of month, day of week,
day of year, hour, minute -- each as a sine/cosine pair on its circle, so
that December sits next to January and 23:00 next to midnight. Only the
parts that vary in the training rows are kept: a column of days has no hour.
The parts are read on the wall clock of the column's time zone; the
timestamp is absolute.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DATE_PARTS", "date_block", "date_names", "varying_parts"]

#: The calendar parts a date column may give, in output order after its
#: timestamp; all but the year are cyclic (a sine/cosine pair each).
DATE_PARTS = ("year", "month", "day", "weekday", "dayofyear", "hour", "minute")


def _calendar(local: np.ndarray) -> dict[str, np.ndarray]:
    """Each part: the year, or a cyclic part's phase in [0, 1); NaN where missing."""
    index = pd.DatetimeIndex(local)

    def values(part) -> np.ndarray:
        return np.asarray(part, dtype=np.float64)

    days_in_year = 365 + values(index.is_leap_year)
    return {
        "year": values(index.year),
        "month": (values(index.month) - 1) / 12,
        "day": (values(index.day) - 1) / values(index.days_in_month),
        "weekday": values(index.day_of_week) / 7,
        "dayofyear": (values(index.day_of_year) - 1) / days_in_year,
        "hour": values(index.hour) / 24,
        "minute": values(index.minute) / 60,
    }


def varying_parts(local: np.ndarray, rows: np.ndarray) -> tuple[str, ...]:
    """Return the calendar parts that take more than one value on ``rows``.

    Parameters
    ----------
    local : ndarray of datetime64
        The column on its wall clock, NaT where missing.
    rows : ndarray of bool
        The training rows that count (seen and not missing).

    Returns
    -------
    parts : tuple of str
        Names from :data:`DATE_PARTS`, in that order.
    """
    if not rows.any():
        return ()
    calendar = _calendar(local[rows])
    return tuple(
        part for part in DATE_PARTS if calendar[part].max() > calendar[part].min()
    )


def date_block(local: np.ndarray, utc: np.ndarray, parts) -> np.ndarray:
    """Return a date column's numbers: timestamp, then each part (NaN if missing).

    Parameters
    ----------
    local : ndarray of datetime64
        The column on its wall clock, NaT where missing.
    utc : ndarray of datetime64
        The same instants in UTC.
    parts : sequence of str
        The parts to give, from :data:`DATE_PARTS`.

    Returns
    -------
    block : ndarray of shape (n_rows, 1 + n_year + 2 * n_cyclic)
        Seconds since the epoch, the year, and a sine and a cosine per
        cyclic part.
    """
    missing = np.isnat(utc)
    seconds = utc.astype("datetime64[s]").astype(np.int64).astype(np.float64)
    seconds[missing] = np.nan
    columns = [seconds]
    calendar = _calendar(local) if parts else {}
    for part in parts:
        if part == "year":
            columns.append(calendar[part])
            continue
        angle = 2 * np.pi * calendar[part]
        columns += [np.sin(angle), np.cos(angle)]
    return np.column_stack(columns)


def date_names(name: str, parts) -> list[str]:
    """Return the output names of a date column's block (see :func:`date_block`).

    Parameters
    ----------
    name : str
        The date column's name.
    parts : sequence of str
        Its parts, from :data:`DATE_PARTS`.

    Returns
    -------
    names : list of str
        ``name_timestamp``, ``name_year``, ``name_month_sin``,
        ``name_month_cos``, ...
    """
    names = [f"{name}_timestamp"]
    for part in parts:
        if part == "year":
            names.append(f"{name}_year")
        else:
            names += [f"{name}_{part}_sin", f"{name}_{part}_cos"]
    return names
