"""Gateway benchmark: plain `mitmdump` vs `leitplanke proxy`, same run, side by side.

Both proxies run with `connection_strategy=lazy`, no per-flow output and `map_remote`
from https://api.openai.com to a local upstream (bench/upstreams.py, a subprocess).
The load generator is an asyncio client (httpx2, else httpx): N concurrent clients,
each with its own keep-alive connection through the proxy, HTTPS to api.openai.com
with the proxy's CA. Every cell warms up first, then runs for a fixed time; latency
percentiles are per request, requests/s is requests over the cell's wall-clock time.

Cells: a clean 2 KB chat-completions prompt at concurrency 1 and 20 through both
proxies; a 2 KB prompt with an IBAN (the gateway must answer with its block, 403)
at concurrency 1 and 20 through the gateway; a streamed answer of 200 SSE events
(Anthropic Messages API, echo upstream; time to first byte, total) through mitmdump
with a minimal SSE-streaming addon (bench/stream_sse.py) and through the gateway.
Memory (process tree RSS/PSS, bench/memory.py): each proxy idle after warm-up, and
the peak under the concurrency-20 clean load.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.memory import PeakSampler, as_mib, idle_memory
from bench.proxies import STREAM_SSE_ADDON, start_gateway, start_mitmdump, stop_process
from bench.stats import summary
from bench.upstreams import Upstreams

try:
    import httpx2 as httpx
except ImportError:  # pragma: no cover - the SDKs' fork is a dev dependency
    import httpx  # type: ignore[no-redef]

CHAT_URL = "https://api.openai.com/v1/chat/completions"
PROMPT_2KB = (
    "Hallo, kannst du mir helfen, diese Kundenmail freundlich zu beantworten? Der Kunde "
    "beschwert sich über die verspätete Lieferung der Wärmepumpe und möchte einen Rabatt. "
    "Wir haben intern entschieden, 5 % Nachlass anzubieten, wenn er bis Monatsende zustimmt. " * 8
)[:2048]
IBAN = "DE89 3704 0044 0532 0130 00"
_IBAN_SENTENCE = f" Bitte überweise die Gutschrift auf {IBAN}."
PII_PROMPT = PROMPT_2KB[: 2048 - len(_IBAN_SENTENCE)] + _IBAN_SENTENCE
# The SSE cell uses the Anthropic Messages API (api.anthropic.com is mapped to the echo
# upstream, api.openai.com to the fake one, so one gateway serves every cell): the echo
# upstream streams one event per character plus five framing events -> 200 events.
SSE_URL = "https://api.anthropic.com/v1/messages"
SSE_EVENTS = 200
SSE_PROMPT = ("Bitte fasse die Vorteile von Wärmepumpen kurz zusammen. " * 5)[: SSE_EVENTS - 5]
BLOCK_STATUS = 403  # what the gateway answers a blocked prompt with (answers/responders)


@dataclass(frozen=True)
class Budget:
    """Seconds per cell (warm-up, then measuring) and SSE runs."""

    warm_s: float
    c1_s: float
    c20_s: float
    pii_s: float
    sse_runs: int
    memory_only_load_s: float = 5.0  # the c20 load for the peak when cells are skipped


DEFAULT = Budget(warm_s=3, c1_s=10, c20_s=15, pii_s=6, sse_runs=20)
QUICK = Budget(warm_s=1, c1_s=3, c20_s=4, pii_s=2, sse_runs=5, memory_only_load_s=3)

Log = Callable[[str], None]


def chat_payload(prompt: str, stream: bool = False) -> bytes:
    message = {"role": "user", "content": prompt}
    body: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [message]}
    if stream:
        body["stream"] = True
    return json.dumps(body).encode()


HEADERS = {"content-type": "application/json", "authorization": "Bearer sk-bench"}


def _client(proxy_url: str, ca: Path, timeout: float = 60) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        proxy=proxy_url,
        verify=ssl.create_default_context(cafile=str(ca)),
        timeout=timeout,
        trust_env=False,
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
    )


async def _load(
    proxy_url: str,
    ca: Path,
    payload: bytes,
    expect: int,
    concurrency: int,
    budget_s: float,
    warm_s: float,
) -> dict[str, Any]:
    clients = [_client(proxy_url, ca) for _ in range(concurrency)]
    latencies: list[float] = []
    counts = {"errors": 0, "wrong_answers": 0}

    async def worker(client: httpx.AsyncClient, until: float, record: bool) -> None:
        while time.perf_counter() < until:
            start = time.perf_counter()
            try:
                answer = await client.post(CHAT_URL, content=payload, headers=HEADERS)
            except httpx.HTTPError:
                counts["errors"] += record
                continue
            elapsed_ms = (time.perf_counter() - start) * 1000
            if record:
                latencies.append(elapsed_ms)
                counts["wrong_answers"] += answer.status_code != expect

    try:
        warm_until = time.perf_counter() + warm_s
        await asyncio.gather(*(worker(c, warm_until, False) for c in clients))
        start = time.perf_counter()
        await asyncio.gather(*(worker(c, start + budget_s, True) for c in clients))
        seconds = time.perf_counter() - start
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return {
        "concurrency": concurrency,
        **summary(latencies, seconds),
        "seconds": round(seconds, 2),
        **counts,
    }


def load_cell(
    proxy_url: str,
    ca: Path,
    payload: bytes,
    expect: int,
    concurrency: int,
    budget_s: float,
    warm_s: float,
) -> dict[str, Any]:
    """One cell: `concurrency` clients, each its own keep-alive connection, warm-up for
    warm_s, then requests for budget_s; latency summary, requests/s, wrong answers."""
    return asyncio.run(_load(proxy_url, ca, payload, expect, concurrency, budget_s, warm_s))


def wait_ready(proxy_url: str, ca: Path, payload: bytes, expect: int, timeout: float = 120) -> None:
    """Until one request gets its expected answer (checker workers start in seconds)."""

    async def attempt() -> int:
        async with _client(proxy_url, ca, timeout=timeout) as client:
            answer = await client.post(CHAT_URL, content=payload, headers=HEADERS)
            return answer.status_code

    deadline = time.monotonic() + timeout
    status: int | str = "no answer"
    while time.monotonic() < deadline:
        try:
            status = asyncio.run(attempt())
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        if status == expect:
            return
        time.sleep(0.5)
    raise RuntimeError(f"proxy at {proxy_url} not ready: last answer {status}, wanted {expect}")


def sse_payload(prompt: str) -> bytes:
    message = {"role": "user", "content": prompt}
    return json.dumps(
        {"model": "claude-bench", "max_tokens": 1024, "stream": True, "messages": [message]}
    ).encode()


SSE_HEADERS = {
    "content-type": "application/json",
    "x-api-key": "sk-ant-bench",
    "anthropic-version": "2023-06-01",
}


def sse_times(proxy_url: str, ca: Path, runs: int) -> dict[str, Any]:
    """Time to first byte and total for a streamed answer of SSE_EVENTS events, one
    warm-up run, then `runs` runs on one keep-alive connection."""
    payload = sse_payload(SSE_PROMPT)
    first: list[float] = []
    total: list[float] = []
    wrong = 0
    with httpx.Client(
        proxy=proxy_url,
        verify=ssl.create_default_context(cafile=str(ca)),
        timeout=60,
        trust_env=False,
    ) as client:
        for run in range(runs + 1):
            start = time.perf_counter()
            ttfb = None
            received = bytearray()
            with client.stream("POST", SSE_URL, content=payload, headers=SSE_HEADERS) as answer:
                for chunk in answer.iter_bytes():
                    if ttfb is None and chunk:
                        ttfb = time.perf_counter() - start
                    received += chunk
                status = answer.status_code
            end = time.perf_counter() - start
            events = received.count(b"data: ")
            if run:  # the first run warms the connection and the workers
                wrong += status != 200 or events != SSE_EVENTS
                first.append((ttfb if ttfb is not None else end) * 1000)
                total.append(end * 1000)
    return {"ttfb": summary(first), "total": summary(total), "wrong_answers": wrong}


def _diff(ours: dict[str, Any], base: dict[str, Any], key: str) -> float | None:
    if key in ours and key in base:
        return round(float(ours[key]) - float(base[key]), 3)
    return None


def _ratio(ours: dict[str, Any], base: dict[str, Any], key: str) -> float | None:
    if ours.get(key) and base.get(key):
        return round(float(ours[key]) / float(base[key]), 3)
    return None


def run_gateway(
    budget: Budget,
    workdir: Path,
    *,
    cells: bool,
    memory: bool,
    log: Log,
    workers: int | None = None,
) -> dict[str, Any]:
    """{"gateway": {...} if cells, "memory": {...} if memory}; every subprocess is
    stopped before this returns."""
    clean, pii = chat_payload(PROMPT_2KB), chat_payload(PII_PROMPT)
    measured: dict[str, dict[str, Any]] = {"plain_mitmdump": {}, "leitplanke": {}}
    mem: dict[str, dict[str, Any]] = {}
    sse: dict[str, Any] = {}
    names = ["plain_mitmdump", "leitplanke"]
    if cells:
        names.insert(1, "plain_mitmdump_streaming")
    with Upstreams() as upstreams:
        for name in names:
            log(f"gateway: starting {name}")
            process, proxy_url, ca = _start(name, workdir / name, upstreams, workers)
            try:
                if name == "plain_mitmdump_streaming":
                    log(f"gateway: {name}, SSE answer of {SSE_EVENTS} events")
                    sse[name] = sse_times(proxy_url, ca, budget.sse_runs)
                    continue
                wait_ready(proxy_url, ca, clean, 200)
                cell = measured[name]
                log(f"gateway: {name}, clean 2 KB, concurrency 1")
                cell["clean_c1"] = load_cell(
                    proxy_url, ca, clean, 200, 1, budget.c1_s if cells else 0, budget.warm_s
                )
                if memory:
                    time.sleep(1)
                    mem[name] = {"idle": idle_memory(process.pid)}
                log(f"gateway: {name}, clean 2 KB, concurrency 20")
                with PeakSampler(process.pid) as peak:
                    cell["clean_c20"] = load_cell(
                        proxy_url,
                        ca,
                        clean,
                        200,
                        20,
                        budget.c20_s if cells else budget.memory_only_load_s,
                        budget.warm_s,
                    )
                if memory:
                    mem[name]["load_c20_peak"] = {**as_mib(peak.peak), "samples": peak.samples}
                if name == "leitplanke" and cells:
                    wait_ready(proxy_url, ca, pii, BLOCK_STATUS)
                    for concurrency in (1, 20):
                        log(f"gateway: leitplanke, 2 KB with an IBAN, concurrency {concurrency}")
                        cell[f"pii_c{concurrency}"] = load_cell(
                            proxy_url,
                            ca,
                            pii,
                            BLOCK_STATUS,
                            concurrency,
                            budget.pii_s,
                            budget.warm_s,
                        )
                    log(f"gateway: {name}, SSE answer of {SSE_EVENTS} events")
                    sse[name] = sse_times(proxy_url, ca, budget.sse_runs)
            finally:
                stop_process(process)
    out: dict[str, Any] = {}
    if cells:
        plain, ours = measured["plain_mitmdump"], measured["leitplanke"]
        comparison = {
            f"c{n}": {
                "added_p50_ms": _diff(ours[f"clean_c{n}"], plain[f"clean_c{n}"], "p50_ms"),
                "added_p99_ms": _diff(ours[f"clean_c{n}"], plain[f"clean_c{n}"], "p99_ms"),
                "throughput_ratio": _ratio(
                    ours[f"clean_c{n}"], plain[f"clean_c{n}"], "requests_per_s"
                ),
            }
            for n in (1, 20)
        }
        base, gw = sse["plain_mitmdump_streaming"], sse["leitplanke"]
        out["gateway"] = {
            "prompt_chars": len(PROMPT_2KB),
            "request_body_bytes": len(clean),
            "budget": budget.__dict__,
            "plain_mitmdump": plain,
            "leitplanke": ours,
            "comparison": comparison,
            "sse": {
                "api": "anthropic-messages",
                "events": SSE_EVENTS,
                "runs": budget.sse_runs,
                **sse,
                "added_ttfb_p50_ms": _diff(gw["ttfb"], base["ttfb"], "p50_ms"),
                "added_total_p50_ms": _diff(gw["total"], base["total"], "p50_ms"),
            },
        }
    if memory:
        out["memory"] = mem
    return out


def _start(
    name: str, tmp: Path, upstreams: Upstreams, workers: int | None = None
) -> tuple[subprocess.Popen[bytes], str, Path]:
    """(process, proxy URL, CA file) of one proxy under test: api.openai.com mapped to
    the fake upstream, api.anthropic.com to the echo upstream (SSE); `workers` checker
    processes for leitplanke (None: its default, one per core less one)."""
    if name == "leitplanke":
        extra = [] if workers is None else ["--set", f"leitplanke_workers={workers}"]
        gateway = start_gateway(tmp, upstreams.fake, extra=extra, anthropic=upstreams.echo)
        return gateway.process, gateway.proxy_url, gateway.ca
    extra = ["--set", "flow_detail=0"]
    if name == "plain_mitmdump_streaming":
        echo = f"http://127.0.0.1:{upstreams.echo.port}"
        extra += [
            "--set",
            rf"map_remote=|https://api\.anthropic\.com|{echo}",
            "-s",
            str(STREAM_SSE_ADDON),
        ]
    process, port, ca = start_mitmdump(tmp, upstreams.fake, extra)
    return process, f"http://127.0.0.1:{port}", ca
