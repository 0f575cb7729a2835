"""Metrics addon: counters from recorded rows, gauges, /healthz states, the admin port."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from mitmproxy import exceptions
from mitmproxy.test import taddons
from prometheus_client import generate_latest

from bench.proxies import free_port
from proxy_addon import metrics as metrics_module
from proxy_addon.guard import Guard
from proxy_addon.identify import Identify
from proxy_addon.metrics import Metrics
from proxy_addon.policy_source import PolicySource
from proxy_addon.recorder import Recorder
from store.records import DecisionRecord, FindingRecord, UsageRecord
from tests.answers.test_admin_server import get, http_get
from tests.proxy_addon.test_guard import IBAN, chat, flow_for

DASHBOARD = Path(__file__).parents[2] / "docs" / "grafana-dashboard.json"
SECRET_USER = "u-5f1e0c"  # a pseudonym that must never reach /metrics


def decision(**fields: Any) -> DecisionRecord:
    values: dict[str, Any] = {
        "service": "openai-api",
        "host": "api.openai.com",
        "api": "openai-chat",
        "tool": None,
        "tool_status": "unapproved",
        "user_pseudonym": SECRET_USER,
        "user_group": None,
        "action": "block",
        "reasons": ("personal",),
        "data_classes": ("personal",),
        "policy_version": "v1",
        "enforced": "block",
        "scan_ms": 12.5,
        "findings": (
            FindingRecord("personal", "IBAN_CODE", 2, 1.0, "DE89 **** 00", "h1", "m:0-5"),
            FindingRecord("personal", "EMAIL_ADDRESS", 1, 0.9, "a***@x.de", "h2", "m:9-20"),
        ),
    }
    return DecisionRecord(**{**values, **fields})


def usage(kind: str = "connection", service: str | None = "openai-api") -> UsageRecord:
    return UsageRecord(
        kind=kind,  # type: ignore[arg-type]
        service=service,
        host="api.openai.com",
        intercepted=True,
        user_pseudonym=SECRET_USER,
        user_group=None,
        tool=None,
        tool_status=None,
        unknown_ai=service is None,
        policy_version="v1",
    )


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text output (0 when absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        series, value = line.rsplit(" ", 1)
        found, _, rest = series.partition("{")
        if found != name:
            continue
        have = ",".join(sorted(rest.rstrip("}").split(","))) if rest else ""
        if have == want:
            return float(value)
    return 0.0


@contextmanager
def addon_chain(tmp_path: Path, workers: int = 0) -> Iterator[tuple[taddons.context, Metrics]]:
    source = PolicySource()
    recorder = Recorder(source)
    guard = Guard(source, recorder)
    metrics = Metrics(source, recorder)
    with taddons.context(source, recorder, guard, metrics) as tctx:
        tctx.configure(source, leitplanke_workers=workers)
        tctx.configure(recorder, leitplanke_db=str(tmp_path / "f.db"))
        assert source.active is not None
        source.active.pool.warm_up()  # as PolicySource.running does
        yield tctx, metrics
        source.done()
        recorder.done()


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[tuple[taddons.context, Metrics]]:
    with addon_chain(tmp_path) as chain:
        yield chain


def text(metrics: Metrics) -> str:
    return generate_latest(metrics.registry).decode()


# ---- options ------------------------------------------------------------------
def test_admin_port_is_off_by_default_and_validated(chain: tuple[taddons.context, Metrics]) -> None:
    tctx, metrics = chain
    assert tctx.options.leitplanke_admin_port == 0
    assert tctx.options.leitplanke_admin_host == "127.0.0.1"
    with pytest.raises(exceptions.OptionsError, match="admin_port"):
        tctx.configure(metrics, leitplanke_admin_port=70000)
    with pytest.raises(exceptions.OptionsError, match="admin_port"):
        tctx.configure(metrics, leitplanke_admin_port=-1)
    with pytest.raises(exceptions.OptionsError, match="admin_host"):
        tctx.configure(metrics, leitplanke_admin_port=9090, leitplanke_admin_host=" ")


# ---- counters -----------------------------------------------------------------
def test_rows_become_counters_without_user_data(chain: tuple[taddons.context, Metrics]) -> None:
    _, metrics = chain
    metrics.observe(decision())
    metrics.observe(decision(action="warn", enforced="allow", findings=(), scan_ms=0.4))
    metrics.observe(
        decision(
            service=None,
            action="block",
            enforced=None,
            scan_ms=None,
            findings=(),
            error="checker_error: TimeoutError",
        )
    )
    metrics.observe(usage())
    metrics.observe(usage(service=None))
    metrics.observe(usage(kind="request"))  # requests are not connections
    out = text(metrics)
    total = "leitplanke_requests_total"
    assert sample(out, total, service="openai-api", action="block", enforced="block") == 1
    assert sample(out, total, service="openai-api", action="warn", enforced="allow") == 1
    assert sample(out, total, service="unknown", action="block", enforced="block") == 1
    findings = "leitplanke_findings_total"
    assert sample(out, findings, data_class="personal", entity_type="IBAN_CODE") == 2
    assert sample(out, findings, data_class="personal", entity_type="EMAIL_ADDRESS") == 1
    assert sample(out, "leitplanke_check_errors_total", reason="checker_error") == 1
    assert sample(out, "leitplanke_scan_seconds_count") == 2
    assert sample(out, "leitplanke_scan_seconds_bucket", le="0.001") == 1
    assert sample(out, "leitplanke_scan_seconds_bucket", le="0.025") == 2
    assert sample(out, "leitplanke_usage_connections_total", service="openai-api") == 1
    assert sample(out, "leitplanke_usage_connections_total", service="unknown_ai") == 1
    for private in (SECRET_USER, "api.openai.com", "DE89", "a***", "h1", "m:0-5"):
        assert private not in out


async def test_a_checked_prompt_moves_the_counters(chain: tuple[taddons.context, Metrics]) -> None:
    """Through the real Guard and Recorder: Recorder.observers feeds the addon."""
    tctx, metrics = chain
    guard = tctx.master.addons.get("guard")
    assert isinstance(guard, Guard)
    flow = flow_for("api.openai.com", "/v1/chat/completions", chat(f"Konto {IBAN}"))
    Identify().requestheaders(flow)
    await guard.request(flow)
    out = text(metrics)
    assert (
        sample(
            out, "leitplanke_requests_total", service="openai-api", action="block", enforced="block"
        )
        == 1
    )
    assert (
        sample(out, "leitplanke_findings_total", data_class="personal", entity_type="IBAN_CODE")
        == 1
    )
    assert sample(out, "leitplanke_scan_seconds_count") == 1
    assert IBAN not in out and IBAN.replace(" ", "") not in out


# ---- gauges -------------------------------------------------------------------
async def test_gauges_policy_pool_and_spool(
    chain: tuple[taddons.context, Metrics], tmp_path: Path
) -> None:
    tctx, metrics = chain
    source = metrics.source
    assert source.active is not None
    version = source.active.loaded.version_id
    out = text(metrics)
    assert sample(out, "leitplanke_policy_info", version=version) == 1
    assert sample(out, "leitplanke_checker_workers") == 0
    assert sample(out, "leitplanke_checker_restarts_total") == 0
    assert sample(out, "leitplanke_checker_kills_total") == 0
    assert "leitplanke_checker_up" not in out  # not probed yet

    # Restarts and kills add up across a pool that a policy switch replaced.
    source.active.pool.restarts, source.active.pool.kills = 2, 1
    metrics.restarts()
    tctx.configure(source, leitplanke_workers=0)  # a new worker count: a new pool
    source.active.pool.restarts, source.active.pool.kills = 1, 1
    out = text(metrics)
    assert sample(out, "leitplanke_checker_restarts_total") == 3
    assert sample(out, "leitplanke_checker_kills_total") == 2

    spool = metrics.recorder.spool
    assert spool is not None
    spool.append(usage())
    spool.append(usage())
    await metrics.probe_db(5)
    out = text(metrics)
    assert sample(out, "leitplanke_spool_rows") == 2
    assert 0 <= sample(out, "leitplanke_db_write_lag_seconds") < 5


async def test_write_lag_grows_while_the_writer_is_stuck(
    chain: tuple[taddons.context, Metrics],
) -> None:
    _, metrics = chain
    release = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Occupy the writer thread until released (through the public write path).
    blocker = loop.create_task(
        metrics.recorder.write(
            lambda _: asyncio.run_coroutine_threadsafe(release.wait(), loop).result() or 0, None
        )
    )
    with pytest.raises(TimeoutError):
        await metrics.probe_db(0.3)
    assert metrics.db_write_lag() >= 0.25  # the probe's own age: still waiting
    status, body = await metrics.health()
    assert (status, body["status"]) == (200, "degraded"), body
    assert body["checks"]["db"]["detail"] == "writer_slow"
    release.set()
    await blocker
    # The first probe may still be in flight (it was queued behind the blocker, and
    # probes are single-flight): its lag is the time it waited. A new probe measures
    # the writer as it is now.
    await metrics.probe_db(5)
    await metrics.probe_db(5)
    assert metrics.db_write_lag() < 0.3


# ---- /healthz -------------------------------------------------------------------
async def test_healthz_ok_with_a_working_pool(chain: tuple[taddons.context, Metrics]) -> None:
    _, metrics = chain
    status, body = await metrics.health()
    assert status == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"policy", "checker", "db", "reload"}
    assert body["checks"]["checker"]["status"] == "ok"
    assert body["checks"]["reload"] == {"status": "ok"}  # no reload was rejected
    assert sample(text(metrics), "leitplanke_checker_up") == 1


async def test_healthz_degraded_while_rows_spool(chain: tuple[taddons.context, Metrics]) -> None:
    _, metrics = chain
    assert metrics.recorder.spool is not None
    metrics.recorder.spool.append(usage())
    status, body = await metrics.health()
    assert (status, body["status"]) == (200, "degraded")
    assert body["checks"]["db"] == {"status": "degraded", "detail": "spooling", "spool_rows": 1}


async def test_healthz_503_when_the_pool_is_closed(chain: tuple[taddons.context, Metrics]) -> None:
    _, metrics = chain
    assert metrics.source.active is not None
    metrics.source.active.pool.close()
    status, body = await metrics.health()
    assert (status, body["status"]) == (503, "fail")
    assert body["checks"]["checker"]["status"] == "fail"
    assert body["checks"]["checker"]["detail"] == "RuntimeError"
    assert sample(text(metrics), "leitplanke_checker_up") == 0


async def test_healthz_503_when_the_pool_hangs_with_one_probe_in_flight(
    chain: tuple[taddons.context, Metrics], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, metrics = chain
    assert metrics.source.active is not None
    pool = metrics.source.active.pool
    calls = 0
    hang = asyncio.Event()

    async def hung_scan(
        texts: list[str], timeout: float | None = None, precheck: bool = True
    ) -> list[Any]:
        nonlocal calls
        calls += 1
        await hang.wait()
        return []

    monkeypatch.setattr(pool, "scan", hung_scan)
    monkeypatch.setattr(metrics_module, "HEALTH_TIMEOUT_S", 0.2)
    for _ in range(3):
        status, body = await metrics.health()
        assert status == 503
        assert body["checks"]["checker"]["detail"] == "timeout"
    assert calls == 1  # health checks share the probe; no pile-up in the pool
    hang.set()
    status, _ = await metrics.health()
    assert status == 200


async def test_healthz_503_without_a_policy(tmp_path: Path) -> None:
    source = PolicySource()
    recorder = Recorder(source)
    metrics = Metrics(source, recorder)
    with taddons.context(recorder, metrics) as tctx:
        tctx.configure(recorder, leitplanke_db=str(tmp_path / "f.db"))
        status, body = await metrics.health()
        recorder.done()
    assert status == 503
    assert body["checks"]["policy"] == {"status": "fail", "detail": "not_loaded"}


# ---- the admin listener -----------------------------------------------------------
@pytest.fixture
async def listening(
    chain: tuple[taddons.context, Metrics],
) -> AsyncIterator[tuple[Metrics, int]]:
    tctx, metrics = chain
    port = free_port()
    tctx.configure(metrics, leitplanke_admin_port=port)
    await metrics.running()
    try:
        yield metrics, port
    finally:
        await metrics.done()


async def test_admin_port_serves_metrics_and_healthz(listening: tuple[Metrics, int]) -> None:
    metrics, port = listening
    assert metrics.server.address == ("127.0.0.1", port)
    metrics.observe(decision())
    status, headers, body = await http_get(port, get("/metrics"))
    assert status == 200
    assert headers["content-type"].startswith("text/plain; version=")
    assert (
        sample(
            body.decode(),
            "leitplanke_requests_total",
            service="openai-api",
            action="block",
            enforced="block",
        )
        == 1
    )
    status, headers, body = await http_get(port, get("/healthz?verbose=1"))
    assert (status, headers["content-type"]) == (200, "application/json")
    assert json.loads(body)["status"] == "ok"
    status, headers, body = await http_get(port, get("/healthz", "HEAD"))
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0
    assert (await http_get(port, get("/nope")))[0] == 404
    assert (await http_get(port, get("/metrics", "POST")))[0] == 405
    assert (await http_get(port, b"garbage\r\n\r\n"))[0] == 400
    assert (await http_get(port, b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n"))[0] == 431


async def test_admin_port_rebinds_when_the_option_changes(
    listening: tuple[Metrics, int], chain: tuple[taddons.context, Metrics]
) -> None:
    metrics, _ = listening
    tctx = chain[0]
    port = free_port()
    tctx.configure(metrics, leitplanke_admin_port=port)
    assert metrics._restarting is not None
    await metrics._restarting
    assert metrics.server.address == ("127.0.0.1", port)
    assert (await http_get(port, get("/metrics")))[0] == 200
    tctx.configure(metrics, leitplanke_admin_port=0)
    await metrics._restarting
    assert metrics.server.address is None


# ---- the Grafana dashboard ----------------------------------------------------------
def dashboard_metrics() -> set[str]:
    dashboard = json.loads(DASHBOARD.read_text("utf-8"))
    exprs = [
        target["expr"]
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        if "expr" in target
    ]
    assert exprs, "the dashboard queries nothing"
    return {name for expr in exprs for name in re.findall(r"\bleitplanke_[a-z_]+", expr)}


def exposed_series(out: str) -> set[str]:
    return {line.split("{")[0].split(" ")[0] for line in out.splitlines() if line[:1] != "#"}


def test_dashboard_queries_only_exposed_metrics(chain: tuple[taddons.context, Metrics]) -> None:
    _, metrics = chain
    metrics.observe(decision(error="oversize"))
    metrics.observe(usage())
    metrics.checker_up = True
    exposed = exposed_series(text(metrics))
    missing = dashboard_metrics() - exposed
    assert not missing, f"dashboard queries metrics /metrics does not have: {missing}"


def test_dashboard_is_a_grafana_dashboard_with_a_datasource_variable() -> None:
    dashboard = json.loads(DASHBOARD.read_text("utf-8"))
    assert dashboard["title"] and dashboard["schemaVersion"] >= 36
    variables = dashboard["templating"]["list"]
    assert any(v["type"] == "datasource" and v["query"] == "prometheus" for v in variables)
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            assert target["datasource"]["uid"] == "${datasource}"
