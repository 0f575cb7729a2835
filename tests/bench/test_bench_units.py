"""The pure parts of `leitplanke bench` (fast; part of `make test`)."""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from bench.gateway import PII_PROMPT, PROMPT_2KB, SSE_EVENTS, SSE_PROMPT
from bench.memory import process_tree, tree_memory_kib
from bench.run import failures, render_rows, render_table
from bench.stats import percentile, summary
from bench.targets import TARGETS, derive_checker, derive_gateway, evaluate
from bench.upstreams import Upstreams
from cli.main import cli


def test_percentile_interpolates_between_ranks() -> None:
    samples = [float(x) for x in range(1, 101)]  # 1..100
    assert percentile(samples, 0) == 1
    assert percentile(samples, 100) == 100
    assert percentile(samples, 50) == pytest.approx(50.5)
    assert percentile(samples, 99) == pytest.approx(99.01)
    assert percentile([7.0], 99) == 7
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summary_with_and_without_wall_clock() -> None:
    assert summary([]) == {"n": 0}
    out = summary([1.0, 2.0, 3.0, 4.0], seconds=2.0)
    assert out == {"n": 4, "p50_ms": 2.5, "p99_ms": 3.97, "mean_ms": 2.5, "requests_per_s": 2.0}
    assert "requests_per_s" not in summary([1.0])


def test_prompts() -> None:
    assert len(PROMPT_2KB) == 2048 and len(PII_PROMPT) == 2048
    assert "DE89 3704 0044 0532 0130 00" in PII_PROMPT
    assert len(SSE_PROMPT) + 5 == SSE_EVENTS  # the echo upstream's Anthropic framing


def results(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "machine": {"date": "2026-11-30T00:00:00+00:00", "cpu_count": 2, "python": "3.13.0"},
        "checker": derive_checker(
            {
                "sizes": {
                    "2KB": {
                        "leitplanke": {"p50_ms": 1.5, "p99_ms": 16.0, "mb_per_s": 1.3},
                        "presidio_default": {"p50_ms": 9.0, "p99_ms": 16.0, "mb_per_s": 0.2},
                    },
                    "1MB": {"leitplanke": {"p50_ms": 800.0, "p99_ms": 900.0, "mb_per_s": 1.2}},
                },
                "throughput_mb_s": {"leitplanke": 25.0, "presidio_default": 1.0},
                "f2": {"leitplanke": 0.91, "presidio_default": 0.95},
                "identical_findings": {"requests": 10, "differ": 0, "examples": []},
            }
        ),
        "gateway": derive_gateway(
            {
                "prompt_chars": 2048,
                "plain_mitmdump": {"clean_c1": {"p50_ms": 8.0, "p99_ms": 12.0, "n": 10}},
                "leitplanke": {
                    "clean_c1": {"p50_ms": 12.0, "p99_ms": 20.0, "n": 10, "errors": 0},
                    "clean_c20": {"p50_ms": 90.0, "n": 50, "errors": 0, "requests_per_s": 100.0},
                    "pii_c20": {
                        "p50_ms": 30.0,
                        "n": 5,
                        "errors": 0,
                        "wrong_answers": 2,
                        "requests_per_s": 55.0,
                    },
                },
                "comparison": {
                    "c1": {"added_p50_ms": 2.5, "added_p99_ms": 8.0, "throughput_ratio": 0.8},
                    "c20": {"added_p50_ms": 40.0, "added_p99_ms": 80.0, "throughput_ratio": 0.5},
                },
                "sse": {
                    "api": "anthropic-messages",
                    "events": 200,
                    "runs": 5,
                    "added_ttfb_p50_ms": 6.5,
                },
            }
        ),
        "memory": {"leitplanke": {"idle": {"rss_mib": 420.0, "pss_mib": 330.0}}},
    }
    base.update(overrides)
    return base


def test_targets_met_not_met_and_not_measured() -> None:
    targets = evaluate(results())
    assert set(targets) == {t.id for t in TARGETS}
    assert targets["checker_2kb_p50"]["met"] is True
    assert targets["checker_2kb_p99"]["met"] is False
    assert targets["checker_1mb"]["met"] is True
    assert targets["gateway_added_p50"] == {
        "description": targets["gateway_added_p50"]["description"],
        "value": 2.5,
        "op": "<=",
        "threshold": 3.0,
        "unit": "ms",
        "met": True,
    }
    assert targets["gateway_throughput_c20"]["met"] is False
    # 55 blocked vs 100 clean prompts/s: below 60 %.
    assert targets["gateway_blocked_c20"]["value"] == 0.55
    assert targets["gateway_blocked_c20"]["met"] is False
    assert targets["checker_mb_s"]["met"] is True
    assert targets["identical_findings"]["value"] == 0 and targets["identical_findings"]["met"]
    assert targets["sse_added_ttfb"]["met"] is True
    assert targets["idle_rss"]["met"] is False
    assert targets["store_writes"]["value"] is None and targets["store_writes"]["met"] is None


def test_checker_throughput_needs_equal_f2() -> None:
    targets = evaluate(results())
    # 25× Presidio's throughput, but a lower F2: not met.
    assert targets["checker_throughput"]["value"] == 25.0
    assert targets["checker_throughput"]["f2"] == {"leitplanke": 0.91, "presidio_default": 0.95}
    assert targets["checker_throughput"]["met"] is False
    better = results()
    better["checker"]["f2"] = {"leitplanke": 0.95, "presidio_default": 0.95}
    assert evaluate(better)["checker_throughput"]["met"] is True
    assert evaluate({"checker": {}})["checker_throughput"]["met"] is None


def test_failures_lists_cells_with_errors_or_wrong_answers() -> None:
    assert failures(results()) == ["leitplanke pii_c20: 0 errors, 2 wrong answers"]
    assert failures({"store": {"writes_per_s": 1.0}}) == []


def test_render_rows_aligns_columns() -> None:
    lines = render_rows(["name", "n"], [["a", "1"], ["longer", "100"]])
    assert lines == ["name      n", "------  ---", "a         1", "longer  100"]


def test_render_table_shows_sections_and_targets() -> None:
    data = results(errors={"store": "not implemented: later"})
    data["targets"] = evaluate(data)
    table = render_table(data)
    for expected in (
        "Checker (in-process scan)",
        "Gateway, HTTPS chat completion, 2048-character prompt",
        "leitplanke, IBAN → block, 20 conn",
        "Streamed answer (anthropic-messages), 200 SSE events, 5 runs",
        "Memory, process tree",
        "Targets (issue 16",
        "identical findings, prefilter vs full analysis: 10 requests",
        "blocked / clean throughput, 20 conn",
        "NOT met",
        "not measured",
        "store: not implemented: later",
    ):
        assert expected in table, expected
    assert render_table({})  # an empty result still renders


def test_memory_of_this_process_tree() -> None:
    assert process_tree(os.getpid())[0] == os.getpid()
    mine = tree_memory_kib(os.getpid())
    assert mine["processes"] >= 1 and mine["rss_kib"] > 1000


def test_upstreams_subprocess_serves_and_stops() -> None:
    with Upstreams() as upstreams:
        answer = httpx.post(
            f"http://127.0.0.1:{upstreams.fake.port}/v1/chat/completions",
            json={"model": "m", "messages": [{"role": "user", "content": "Hallo"}]},
            trust_env=False,
        )
        assert answer.status_code == 200
        process = upstreams.process
        assert process is not None
    assert process.poll() is not None


def test_cli_help_and_bad_sections() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["bench", "--help"])
    assert result.exit_code == 0
    assert "--quick" in result.output and "--only" in result.output
    result = runner.invoke(cli, ["bench", "--only", "gateway,nope"])
    assert result.exit_code == 2
    assert "nope" in result.output
