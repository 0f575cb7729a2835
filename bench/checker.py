"""Checker benchmark: Leitplanke's scan vs Presidio's default AnalyzerEngine, same run.

Both engines see the same prompts (bench/corpus.py) on one core, in this process:

- ``leitplanke``: ``Scanner`` with the embedded default policy (all 17 entity types,
  prefilter on) — what a gateway worker runs;
- ``leitplanke_full``: the same without the prefilter (every character analysed), to
  show what the prefilter saves; reported, not a target;
- ``presidio_default``: predefined "en" recognizers on a blank "en" pipeline, as
  ``leitplanke eval`` uses it; texts over 100,000 characters are cut into the same
  overlapping windows Leitplanke uses (spaCy refuses texts over 1,000,000 characters).

Throughput is UTF-8 megabytes of prompt text per second of scan CPU time (one core)
over the whole corpus (MB = 10^6 bytes); latencies are CPU milliseconds per prompt.
F2 is the micro F2 of `leitplanke eval` on its labelled corpus, for both engines, so
speed is never bought with recall.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bench.corpus import SHARES, SIZES, corpus, pool_prompts
from bench.stats import summary

COUNTS = {"0.2KB": 200, "2KB": 100, "20KB": 20, "200KB": 3, "1MB": 1}
QUICK_COUNTS = {"0.2KB": 40, "2KB": 20, "20KB": 3, "200KB": 1, "1MB": 1}
ENGINES = ("leitplanke", "leitplanke_full", "presidio_default")


def _engines() -> dict[str, Callable[[str], object]]:
    from checker.config import ScanConfig
    from checker.evaluation.run import presidio_default_analyzer
    from checker.scan import Scanner, _windows
    from policy.loader import load_policy

    logging.getLogger("checker.scan").setLevel(logging.ERROR)
    config = ScanConfig.from_policy(load_policy().policy)
    scanner = Scanner(config)
    full = Scanner(replace(config, prefilter=False), scanner.analyzer)
    presidio = presidio_default_analyzer()

    def presidio_scan(text: str) -> object:
        return [presidio.analyze(window, language="en") for _, window in _windows(text)]

    return {
        "leitplanke": scanner.scan_text,
        "leitplanke_full": full.scan_text,
        "presidio_default": presidio_scan,
    }


def _time(scan: Callable[[str], object], texts: list[str]) -> list[float]:
    """CPU milliseconds per text: the scan runs on one core in this process, and CPU time
    is what one core spends on it, also on a machine shared with other load (wall-clock
    time there grows with everything else that runs)."""
    scan(texts[0][:500])  # warm caches (tldextract's suffix list, lookups)
    samples = []
    for text in texts:
        start = time.thread_time()
        scan(text)
        samples.append((time.thread_time() - start) * 1000)
    return samples


def _f2() -> dict[str, float | None]:
    from checker.evaluation.run import evaluate

    result = evaluate()
    return {engine.name: engine.micro.f2 for engine in result.engines}


def checker_results(quick: bool = False) -> dict[str, Any]:
    """Per size and engine: p50/p99/mean ms and MB/s; 2 KB prompts by content; overall
    MB/s; F2 of both engines."""
    counts = QUICK_COUNTS if quick else COUNTS
    prompts = corpus(counts)
    engines = _engines()
    sizes: dict[str, dict[str, Any]] = {}
    totals = {name: [0.0, 0] for name in ENGINES}  # ms, bytes
    for label, texts in prompts.items():
        size_bytes = sum(len(t.encode()) for t in texts)
        row: dict[str, Any] = {"prompts": len(texts), "chars": SIZES[label]}
        for name in ENGINES:
            ms = _time(engines[name], texts)
            cell = summary(ms)
            cell["mb_per_s"] = round(size_bytes / 1e6 / (sum(ms) / 1000), 3)
            row[name] = cell
            totals[name][0] += sum(ms)
            totals[name][1] += size_bytes
        sizes[label] = row
    by_content: dict[str, dict[str, Any]] = {}
    for pool, texts in pool_prompts(SIZES["2KB"], 10 if quick else 40).items():
        by_content[pool] = {name: summary(_time(engines[name], texts)) for name in ENGINES}
    throughput = {
        name: round(bytes_ / 1e6 / (ms / 1000), 3) for name, (ms, bytes_) in totals.items()
    }
    from bench.identical_findings import prefilter_check

    return {
        "corpus": {"shares": dict(SHARES), "counts": counts, "seed": 11},
        "sizes": sizes,
        "by_content_2kb": by_content,
        "throughput_mb_s": throughput,
        "throughput_ratio": round(throughput["leitplanke"] / throughput["presidio_default"], 2),
        "f2": _f2(),
        # the fast path (prefilter) against a full analysis, on every corpus (quick: a tenth)
        "identical_findings": prefilter_check(every=10 if quick else 1),
    }
