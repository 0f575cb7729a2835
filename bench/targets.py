"""The performance targets (issue 16, plus the issue-8 ones it keeps: streaming and the
store), evaluated against a `leitplanke bench` result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Target:
    id: str
    description: str
    path: tuple[str, ...]  # where the value is in the results (after `derive`)
    op: str  # ">=" or "<="
    threshold: float
    unit: str


TARGETS: tuple[Target, ...] = (
    Target(
        "checker_mb_s",
        "checker ≥ 1 MB/s per core on the mixed corpus",
        ("checker", "throughput_mb_s", "leitplanke"),
        ">=",
        1.0,
        "MB/s",
    ),
    Target(
        "checker_throughput",
        "checker ≥ 20× Presidio-default throughput at ≥ equal F2",
        ("checker", "throughput_ratio"),
        ">=",
        20.0,
        "×",
    ),
    Target(
        "checker_2kb_p50",
        "2 KB mixed prompt scan p50 ≤ 3 ms",
        ("checker", "sizes", "2KB", "leitplanke", "p50_ms"),
        "<=",
        3.0,
        "ms",
    ),
    Target(
        "checker_2kb_p99",
        "2 KB mixed prompt scan p99 ≤ 15 ms",
        ("checker", "sizes", "2KB", "leitplanke", "p99_ms"),
        "<=",
        15.0,
        "ms",
    ),
    Target(
        "checker_1mb",
        "1 MB document scanned ≤ 2 s (p50)",
        ("checker", "sizes", "1MB", "leitplanke", "p50_ms"),
        "<=",
        2000.0,
        "ms",
    ),
    Target(
        "identical_findings",
        "prefilter = full analysis on every evaluation corpus (requests that differ)",
        ("checker", "identical_findings", "differ"),
        "<=",
        0.0,
        "requests",
    ),
    Target(
        "gateway_added_p50",
        "gateway adds ≤ 3 ms median latency vs plain mitmdump (1 conn)",
        ("gateway", "comparison", "c1", "added_p50_ms"),
        "<=",
        3.0,
        "ms",
    ),
    Target(
        "gateway_throughput_c20",
        "throughput ≥ 70 % of plain mitmdump at 20 connections (clean)",
        ("gateway", "comparison", "c20", "throughput_ratio"),
        ">=",
        0.70,
        "ratio",
    ),
    Target(
        "gateway_blocked_c20",
        "blocked-prompt throughput ≥ 60 % of the clean rate (20 connections)",
        ("gateway", "comparison", "c20", "blocked_ratio"),
        ">=",
        0.60,
        "ratio",
    ),
    Target(
        "idle_rss",
        "idle RSS ≤ 300 MiB (gateway + one checker worker)",
        ("memory", "leitplanke", "idle", "rss_mib"),
        "<=",
        300.0,
        "MiB",
    ),
    Target(
        "sse_added_ttfb",
        "SSE first byte ≤ 20 ms later than plain mitmdump (p50; issue 8)",
        ("gateway", "sse", "added_ttfb_p50_ms"),
        "<=",
        20.0,
        "ms",
    ),
    Target(
        "store_writes",
        "store ≥ 2,000 findings writes/s (decisions with findings; issue 8)",
        ("store", "writes_per_s"),
        ">=",
        2000.0,
        "writes/s",
    ),
)


def lookup(results: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = results
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def evaluate(results: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """{target id: {description, value, threshold, op, unit, met}}; value and met are
    None when the section was not run (or failed)."""
    out: dict[str, dict[str, Any]] = {}
    for target in TARGETS:
        value = _number(lookup(results, target.path))
        met: bool | None = None
        if value is not None:
            met = value >= target.threshold if target.op == ">=" else value <= target.threshold
        entry: dict[str, Any] = {
            "description": target.description,
            "value": value,
            "op": target.op,
            "threshold": target.threshold,
            "unit": target.unit,
            "met": met,
        }
        if target.id == "checker_throughput":
            ours = _number(lookup(results, ("checker", "f2", "leitplanke")))
            theirs = _number(lookup(results, ("checker", "f2", "presidio_default")))
            entry["f2"] = {"leitplanke": ours, "presidio_default": theirs}
            if met is not None:
                entry["met"] = met and ours is not None and theirs is not None and ours >= theirs
        out[target.id] = entry
    return out


def derive_checker(checker: Mapping[str, Any]) -> dict[str, Any]:
    """The checker section plus `throughput_ratio` (Leitplanke MB/s / Presidio MB/s)."""
    out = dict(checker)
    ours = _number(lookup(checker, ("throughput_mb_s", "leitplanke")))
    theirs = _number(lookup(checker, ("throughput_mb_s", "presidio_default")))
    if ours is not None and theirs:
        out["throughput_ratio"] = round(ours / theirs, 2)
    return out


def derive_gateway(gateway: Mapping[str, Any]) -> dict[str, Any]:
    """The gateway section plus comparison.c20.blocked_ratio (blocked IBAN prompts per
    second / clean prompts per second, both through Leitplanke at 20 connections)."""
    out = dict(gateway)
    ours = gateway.get("leitplanke") or {}
    blocked = _number(lookup(ours, ("pii_c20", "requests_per_s")))
    clean = _number(lookup(ours, ("clean_c20", "requests_per_s")))
    if blocked is not None and clean:
        comparison = dict(out.get("comparison") or {})
        c20 = {**(comparison.get("c20") or {}), "blocked_ratio": round(blocked / clean, 2)}
        comparison["c20"] = c20
        out["comparison"] = comparison
    return out
