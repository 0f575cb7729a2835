"""Percentiles and summaries of latency samples (milliseconds)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile(samples: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100), linear interpolation between closest ranks."""
    if not samples:
        raise ValueError("no samples")
    if not 0 <= p <= 100:
        raise ValueError("p must be within 0..100")
    ordered = sorted(samples)
    rank = p / 100 * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(samples_ms: Sequence[float], seconds: float | None = None) -> dict[str, float]:
    """p50, p99, mean (ms) and the sample count; requests_per_s when the wall-clock
    time the samples took is given (for concurrent runs, not the sum of latencies)."""
    if not samples_ms:
        return {"n": 0}
    out = {
        "n": len(samples_ms),
        "p50_ms": round(percentile(samples_ms, 50), 3),
        "p99_ms": round(percentile(samples_ms, 99), 3),
        "mean_ms": round(statistics.fmean(samples_ms), 3),
    }
    if seconds is not None and seconds > 0:
        out["requests_per_s"] = round(len(samples_ms) / seconds, 1)
    return out
