"""Streaming through the gateway (`make bench`; not part of `make test`).

Same run, side by side: plain `mitmdump` vs `leitplanke proxy`, both map_remote'd to
the same local echo upstream that streams its answer as one SSE event per character
(a 200-character prompt → 200 events). Measures time to the first answer byte and
total time for the streamed answer, for a clean prompt and for a redacted one (the
restorer holds back only placeholder prefixes). Results print as JSON and go to
build/bench-streaming.json.
"""

from __future__ import annotations

import json
import ssl
import time
from pathlib import Path

import pytest

from tests.bench.test_first_numbers import summary
from tests.e2e.conftest import start_gateway, start_mitmdump, stop_gateway
from tests.e2e.echo_upstream import EchoUpstream
from tests.e2e.fake_upstream import FakeUpstream

try:
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

pytestmark = pytest.mark.bench

RUNS = 30
CLEAN = ("Bitte fasse die Vorteile von Wärmepumpen kurz zusammen. " * 5)[:200]
WITH_IBAN = ("Zahlung auf DE89 3704 0044 0532 0130 00 bitte prüfen. " * 5)[:200]
REDACT_POLICY = """\
version: 1
organization: Bench GmbH
contact: dsb@bench.example
data_classes:
  personal: {entities: [IBAN_CODE]}
on_violation: {personal: redact}
"""


def stream_times(proxy_url: str, ca: Path, prompt: str) -> tuple[list[float], list[float]]:
    """(time to first byte, total) per streamed answer, in ms."""
    verify = ssl.create_default_context(cafile=str(ca))
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": prompt}]}
    first, total = [], []
    with httpx.Client(proxy=proxy_url, verify=verify, timeout=60) as client:
        for run in range(RUNS + 1):
            start = time.perf_counter()
            with client.stream(
                "POST", "https://api.openai.com/v1/chat/completions", json=body
            ) as answer:
                assert answer.status_code == 200
                chunks = answer.iter_bytes()
                next(chunks)
                ttfb = time.perf_counter() - start
                received = sum(1 for _ in chunks)
                assert received >= 0
            if run:  # the first run warms connections and workers
                first.append(ttfb * 1000)
                total.append((time.perf_counter() - start) * 1000)
    return first, total


def test_streaming(tmp_path: Path) -> None:
    echo = EchoUpstream().start()
    stand_in = FakeUpstream()  # start_* helpers map api.openai.com to upstream.port
    stand_in.port = echo.port
    results: dict[str, object] = {"runs": RUNS, "events_per_answer": len(CLEAN) + 2}
    try:
        process, port, ca = start_mitmdump(tmp_path / "plain", stand_in)
        try:
            ttfb, total = stream_times(f"http://127.0.0.1:{port}", ca, CLEAN)
            results["plain_mitmdump"] = {"ttfb": summary(ttfb), "total": summary(total)}
        finally:
            process.terminate()
            process.wait(timeout=20)
        # mitmdump buffers whole answers unless told to stream: the fair baseline for
        # the gateway (which streams SSE) is mitmdump with a 10-line SSE-streaming addon.
        streaming = ["-s", str(Path(__file__).with_name("stream_sse.py"))]
        process, port, ca = start_mitmdump(tmp_path / "plain-streaming", stand_in, streaming)
        try:
            ttfb, total = stream_times(f"http://127.0.0.1:{port}", ca, CLEAN)
            results["plain_mitmdump_streaming"] = {"ttfb": summary(ttfb), "total": summary(total)}
        finally:
            process.terminate()
            process.wait(timeout=20)
        gateway = start_gateway(tmp_path / "clean", stand_in)
        try:
            ttfb, total = stream_times(gateway.proxy_url, gateway.ca, CLEAN)
            results["leitplanke_clean"] = {"ttfb": summary(ttfb), "total": summary(total)}
        finally:
            stop_gateway(gateway)
        policy = tmp_path / "redact.yaml"
        policy.write_text(REDACT_POLICY, "utf-8")
        gateway = start_gateway(tmp_path / "redact", stand_in, ["--policy", str(policy)])
        try:
            ttfb, total = stream_times(gateway.proxy_url, gateway.ca, WITH_IBAN)
            results["leitplanke_redacted"] = {"ttfb": summary(ttfb), "total": summary(total)}
        finally:
            stop_gateway(gateway)
    finally:
        echo.stop()
        stand_in.server.server_close()
    base = results["plain_mitmdump_streaming"]
    ours = results["leitplanke_clean"]
    assert isinstance(base, dict) and isinstance(ours, dict)
    results["added_ttfb_p50_ms"] = round(ours["ttfb"]["p50_ms"] - base["ttfb"]["p50_ms"], 3)
    out = Path("build") / "bench-streaming.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print("\n" + json.dumps(results, indent=2))
