"""Shared helpers of the benchmark scripts: timing, tables, machine facts."""

from __future__ import annotations

import os
import platform
import statistics
import time
import warnings

import numpy as np


def machine_summary() -> str:
    """One line about the CPU count, BLAS and library versions."""
    import scipy
    import sklearn

    try:
        from threadpoolctl import threadpool_info

        blas = sorted(
            {
                f"{i['internal_api']} {i.get('version') or ''} "
                f"({i['num_threads']} threads, {i.get('architecture') or '?'})"
                for i in threadpool_info()
                if i["user_api"] == "blas"
            }
        )
    except ImportError:  # pragma: no cover
        blas = ["threadpoolctl not installed"]
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"BLAS: {'; '.join(blas)}; Python {platform.python_version()}, "
        f"NumPy {np.__version__}, SciPy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}"
    )


def timed(fn, *args, **kwargs):
    """Run ``fn`` once; return (seconds, result)."""
    with warnings.catch_warnings():
        # Fixed epoch budgets end in ConvergenceWarning by design.
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        return time.perf_counter() - start, result


def interleaved(runners: dict, repeats: int) -> dict:
    """Time every runner ``repeats`` times, round-robin; return all timings."""
    times = {name: [] for name in runners}
    extras = {}
    for _ in range(repeats):
        for name, run in runners.items():
            seconds, extra = timed(run)
            times[name].append(seconds)
            extras[name] = extra
    return {name: (times[name], extras[name]) for name in runners}


def median(values) -> float:
    """Median of a list of numbers."""
    return statistics.median(values)


def print_table(headers, rows, file=None) -> None:
    """Print a GitHub-flavoured markdown table."""
    widths = [
        max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)
    ]
    line = (
        "| "
        + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True))
        + " |"
    )
    print(line, file=file)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|", file=file)
    for row in rows:
        print(
            "| "
            + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
            + " |",
            file=file,
        )
