"""Soak: 50 concurrent clients for 5 minutes through a real `leitplanke proxy`
(`make soak`; not part of `make test`). Loopback only, bounded by time.

Mix per client, round robin: clean chat, chat with an IBAN (blocked), a streamed
chat, and a multipart upload of a small PDF with an IBAN (blocked). Checks: no
proxy errors (5xx from the gateway, connection failures), the decisions table holds
exactly one blocked decision per PII request sent, and the gateway's memory (main
process plus checker workers) grows ≤ 10 % between the end of warm-up and the end.
Results go to build/soak.json; docs/reliability.md has the last run.

LEITPLANKE_SOAK_SECONDS (default 300) and LEITPLANKE_SOAK_CLIENTS (default 50).
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import ssl
import time
from collections import Counter
from pathlib import Path

import pytest

from bench.fake_upstream import FakeUpstream
from bench.memory import rss_kib
from bench.proxies import start_gateway, stop_gateway
from tests.extract.file_samples import pdf_bytes

try:
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

pytestmark = pytest.mark.soak

SECONDS = float(os.environ.get("LEITPLANKE_SOAK_SECONDS", "300"))
CLIENTS = int(os.environ.get("LEITPLANKE_SOAK_CLIENTS", "50"))
WARM_UP_S = min(30.0, SECONDS / 5)
IBAN = "DE89 3704 0044 0532 0130 00"
CHAT = "https://api.openai.com/v1/chat/completions"
FILES = "https://api.openai.com/v1/files"


async def client_loop(
    n: int, client: httpx.AsyncClient, deadline: float, sent: Counter[str], errors: list[str]
) -> None:
    pdf = pdf_bytes([f"Rechnung, IBAN {IBAN}"])
    i = n
    while time.monotonic() < deadline:
        kind = ("clean", "pii", "stream", "upload")[i % 4]
        i += 1
        try:
            if kind == "upload":
                answer = await client.post(
                    FILES,
                    data={"purpose": "assistants"},
                    files={"file": ("rechnung.pdf", pdf, "application/pdf")},
                )
                ok = answer.status_code == 403
            elif kind == "stream":
                question = {"role": "user", "content": f"Erkläre Wärmepumpen {i}"}
                body = {"model": "m", "stream": True, "messages": [question]}
                async with client.stream("POST", CHAT, json=body) as answer:
                    async for _ in answer.aiter_bytes():
                        pass
                ok = answer.status_code == 200
            else:
                text = f"Bitte {i} an {IBAN} überweisen" if kind == "pii" else f"Frage {i}"
                answer = await client.post(
                    CHAT, json={"model": "m", "messages": [{"role": "user", "content": text}]}
                )
                ok = answer.status_code == (403 if kind == "pii" else 200)
            sent[kind] += 1
            if not ok:
                errors.append(f"{kind}: HTTP {answer.status_code}")
        except httpx.HTTPError as exc:
            errors.append(f"{kind}: {type(exc).__name__}")


async def run_clients(proxy_url: str, ca: Path, pid: int) -> dict[str, object]:
    verify = ssl.create_default_context(cafile=str(ca))
    sent: Counter[str] = Counter()
    errors: list[str] = []
    start = time.monotonic()
    deadline = start + SECONDS
    clients = [
        httpx.AsyncClient(proxy=proxy_url, verify=verify, timeout=120) for _ in range(CLIENTS)
    ]
    tasks = [
        asyncio.create_task(client_loop(n, c, deadline, sent, errors))
        for n, c in enumerate(clients)
    ]
    await asyncio.sleep(WARM_UP_S)
    rss_after_warm_up = rss_kib(pid)
    samples = []
    while time.monotonic() < deadline:
        await asyncio.sleep(5)
        samples.append(rss_kib(pid))
    await asyncio.gather(*tasks)
    for c in clients:
        await c.aclose()
    elapsed = time.monotonic() - start
    rss_end = rss_kib(pid)
    return {
        "seconds": round(elapsed, 1),
        "clients": CLIENTS,
        "requests": dict(sent),
        "requests_per_s": round(sum(sent.values()) / elapsed, 1),
        "errors": len(errors),
        "error_kinds": dict(Counter(errors).most_common(5)),
        "rss_after_warm_up_mib": round(rss_after_warm_up / 1024, 1),
        "rss_max_mib": round(max([rss_end, *samples]) / 1024, 1),
        "rss_end_mib": round(rss_end / 1024, 1),
        "rss_growth_pct": round(100 * (rss_end - rss_after_warm_up) / rss_after_warm_up, 1),
    }


def test_soak(tmp_path: Path) -> None:
    upstream = FakeUpstream().start()
    gateway = start_gateway(tmp_path / "gw", upstream)
    try:
        time.sleep(8)  # checker workers warm
        result = asyncio.run(run_clients(gateway.proxy_url, gateway.ca, gateway.process.pid))
    finally:
        stop_gateway(gateway)
        upstream.stop()
    with sqlite3.connect(gateway.db) as conn:
        blocked = conn.execute("select count(*) from decisions where action = 'block'").fetchone()[
            0
        ]
        integrity = conn.execute("pragma integrity_check").fetchone()[0]
    requests = result["requests"]
    assert isinstance(requests, dict)
    pii_sent = requests.get("pii", 0) + requests.get("upload", 0)
    result.update(pii_sent=pii_sent, blocked_decisions=blocked, integrity=integrity)
    out = Path("build") / "soak.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print("\n" + json.dumps(result, indent=2))
    assert result["errors"] == 0, result["error_kinds"]
    assert blocked == pii_sent
    assert integrity == "ok"
    assert isinstance(result["rss_growth_pct"], float) and result["rss_growth_pct"] <= 10
