"""First numbers of the walking skeleton (`make bench`; not part of `make test`).

Same run, side by side: Leitplanke's scan vs Presidio's default AnalyzerEngine on a
2 KB German prompt, and a clean 2 KB prompt through plain mitmdump vs `leitplanke
proxy` (both lazy, both map_remote'd to the same local fake upstream).
Results print as a table and go to build/bench-first-numbers.json.
"""

from __future__ import annotations

import json
import ssl
import statistics
import time
from pathlib import Path

import pytest

from checker.config import ScanConfig
from checker.nlp_engine import OfflineSpacyNlpEngine
from checker.scan import Scanner
from policy.loader import load_policy
from tests.e2e.conftest import start_gateway, start_mitmdump, stop_gateway
from tests.e2e.fake_upstream import FakeUpstream

try:
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

pytestmark = pytest.mark.bench

PROMPT_2KB = (
    "Hallo, kannst du mir helfen, diese Kundenmail freundlich zu beantworten? Der Kunde "
    "beschwert sich über die verspätete Lieferung der Wärmepumpe und möchte einen Rabatt. "
    "Wir haben intern entschieden, 5 % Nachlass anzubieten, wenn er bis Monatsende zustimmt. "
) * 8
PROMPT_2KB = PROMPT_2KB[:2048]
RUNS = 200


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(pct(samples, 50), 3),
        "p99_ms": round(pct(samples, 99), 3),
        "mean_ms": round(statistics.fmean(samples), 3),
    }


def time_calls(fn, runs: int = RUNS) -> list[float]:  # type: ignore[no-untyped-def]
    fn()  # warm
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def presidio_default_engine():  # type: ignore[no-untyped-def]
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

    nlp = OfflineSpacyNlpEngine(("en",), use_models=False)
    nlp.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp)
    return AnalyzerEngine(nlp_engine=nlp, registry=registry, supported_languages=["en"])


def chat_body() -> dict[str, object]:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": PROMPT_2KB}]}


def proxy_latency(proxy_url: str, ca: Path) -> list[float]:
    verify = ssl.create_default_context(cafile=str(ca))
    with httpx.Client(proxy=proxy_url, verify=verify, timeout=60) as client:

        def call() -> None:
            r = client.post("https://api.openai.com/v1/chat/completions", json=chat_body())
            assert r.status_code == 200, r.text

        return time_calls(call)


def test_first_numbers(tmp_path: Path) -> None:
    results: dict[str, object] = {"prompt_chars": len(PROMPT_2KB), "runs": RUNS}
    scanner = Scanner(ScanConfig.from_policy(load_policy().policy))
    results["scan_leitplanke_2kb"] = summary(time_calls(lambda: scanner.scan_text(PROMPT_2KB)))
    presidio = presidio_default_engine()
    results["scan_presidio_default_2kb"] = summary(
        time_calls(lambda: presidio.analyze(PROMPT_2KB, language="en"))
    )

    upstream = FakeUpstream().start()
    try:
        with httpx.Client(timeout=60) as direct:
            url = f"http://127.0.0.1:{upstream.port}/v1/chat/completions"
            results["direct_upstream"] = summary(
                time_calls(lambda: direct.post(url, json=chat_body()))
            )
        process, port, ca = start_mitmdump(tmp_path / "plain", upstream)
        try:
            results["plain_mitmdump"] = summary(proxy_latency(f"http://127.0.0.1:{port}", ca))
        finally:
            process.terminate()
            process.wait(timeout=20)
        gateway = start_gateway(tmp_path / "leitplanke", upstream)
        try:
            results["leitplanke_proxy"] = summary(proxy_latency(gateway.proxy_url, gateway.ca))
        finally:
            stop_gateway(gateway)
    finally:
        upstream.stop()

    plain, ours = results["plain_mitmdump"], results["leitplanke_proxy"]
    assert isinstance(plain, dict) and isinstance(ours, dict)
    results["added_latency_p50_ms"] = round(ours["p50_ms"] - plain["p50_ms"], 3)
    results["added_latency_p99_ms"] = round(ours["p99_ms"] - plain["p99_ms"], 3)
    out = Path("build") / "bench-first-numbers.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print("\n" + json.dumps(results, indent=2))
