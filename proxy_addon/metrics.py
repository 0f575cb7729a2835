"""The Metrics addon: `/metrics` (Prometheus text format) and `/healthz` on an admin port.

Off by default; `--set leitplanke_admin_port=9090` serves both on
`leitplanke_admin_host` (default 127.0.0.1), on mitmproxy's own event loop
(answers/admin_server.py), from a dedicated CollectorRegistry. docs/observability.md
lists the metrics and suggests alerts.

Counters come from the rows the Recorder writes (`Recorder.observers`): every
decision row (a prompt checked, HTTP or WebSocket) and every usage row. So the
metrics hold exactly what the database holds, never more: service ids, actions,
data classes and entity types, counts and timings; no values, users or hosts.

Gauges are read when scraped: the active policy's version, the checker pool's size
and restarts, and from a probe through the Recorder's writer thread (every
PROBE_INTERVAL_S, and on /healthz) the write lag and the spooled rows.

`/healthz` answers 503 when the gateway cannot enforce the policy: no policy
loaded, or the checker pool does not answer a tiny scan within HEALTH_TIMEOUT_S
(dead worker, broken or hung pool). Database trouble alone is "degraded" with 200:
prompts are still checked and rows wait in the spool, nothing is lost, and taking
the gateway out of rotation would not help; alert on the metrics instead. A rejected
reload (policy file change or SIGHUP) is "degraded" with 200 and the reason too: the
last good policy is enforced.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from mitmproxy import ctx, exceptions
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from answers.admin_server import AdminServer, Reply
from checker.pool import ScanPool
from proxy_addon.option_values import check_range
from proxy_addon.policy_source import PolicySource
from proxy_addon.recorder import Recorder
from store.records import DecisionRecord, UsageRecord

log = logging.getLogger(__name__)

HEALTH_TIMEOUT_S = 2.0  # /healthz waits this long for the checker and the writer
PROBE_INTERVAL_S = 10.0  # background probes keep the gauges fresh between scrapes
PROBE_SCAN_TIMEOUT_S = 60.0  # a probe scan gives up (and is retried) after this
# Scans take milliseconds for a chat prompt, up to seconds for a large upload.
SCAN_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNKNOWN = "unknown"


class _SingleFlight:
    """At most one probe in flight per key; callers share it, each with its own
    timeout (a hung pool must not collect one queued probe per health check)."""

    def __init__(self) -> None:
        self._key: object = None
        self._task: asyncio.Task[Any] | None = None

    async def run(self, key: object, make: Callable[[], Awaitable[Any]], timeout: float) -> Any:
        if self._task is None or self._task.done() or self._key is not key:
            self._key = key
            self._task = asyncio.ensure_future(make())
            self._task.add_done_callback(_retrieve)
        return await asyncio.wait_for(asyncio.shield(self._task), timeout)


def _retrieve(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: no "exception was never retrieved" noise


class Metrics:
    def __init__(self, source: PolicySource, recorder: Recorder) -> None:
        self.source = source
        self.recorder = recorder
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "leitplanke_requests",
            "Prompts checked (HTTP requests and WebSocket messages), by catalog service, "
            "policy action and what the gateway enforced.",
            ["service", "action", "enforced"],
            registry=r,
        )
        # A separate counter, so the labels of leitplanke_requests (dashboards, alerts)
        # stay as they are; there a monitor-mode would-be block is action="block",
        # enforced="log".
        self.modes = Counter(
            "leitplanke_requests_by_mode",
            "Prompts checked, by the rollout mode of the sender's group (monitor, coach, enforce).",
            ["mode"],
            registry=r,
        )
        self.findings = Counter(
            "leitplanke_findings",
            "Detected values in checked prompts (repeats of one value in a prompt count "
            "once per occurrence), by data class and entity type.",
            ["data_class", "entity_type"],
            registry=r,
        )
        self.errors = Counter(
            "leitplanke_check_errors",
            "Prompts the normal path could not check fully, by reason "
            "(oversize, undecodable_body, unparsed_body, checker_error, scan_budget).",
            ["reason"],
            registry=r,
        )
        self.scan_seconds = Histogram(
            "leitplanke_scan_seconds",
            "Checker scan time per prompt (queueing in the pool included).",
            buckets=SCAN_BUCKETS,
            registry=r,
        )
        self.usage = Counter(
            "leitplanke_usage_connections",
            "Connections to AI hosts (decrypted or tunnelled), by catalog service; "
            "'unknown_ai' for hosts only the discovery rules flag.",
            ["service"],
            registry=r,
        )
        r.register(_StateCollector(self))
        # Probe state, written on the event loop (lag) and the writer thread (spool).
        self.db_lag_s = 0.0
        self.spool_rows = 0
        self.checker_up: bool | None = None  # None: not probed yet
        self._db_probe_started: float | None = None
        self._db_flight = _SingleFlight()
        self._pool_flight = _SingleFlight()
        # Restarts and kills of pools a policy switch replaced.
        self._restarts_base = self._kills_base = 0
        self._seen_pool: ScanPool | None = None
        self._probing: asyncio.Task[None] | None = None
        self._restarting: asyncio.Task[None] | None = None
        self.server = AdminServer(
            {"/metrics": self._metrics, "/healthz": self._healthz},
            protected=frozenset({"/metrics"}),
            token=lambda: str(getattr(ctx.options, "leitplanke_admin_token", "")),
        )
        recorder.observers.append(self.observe)

    # ---- options and lifecycle ---------------------------------------------
    def load(self, loader: object) -> None:
        add = loader.add_option  # type: ignore[attr-defined]
        add(
            "leitplanke_admin_port",
            int,
            0,
            "Serve /metrics (Prometheus) and /healthz on this port; 0: off.",
        )
        add(
            "leitplanke_admin_host",
            str,
            "127.0.0.1",
            "Address the admin port listens on (keep it internal).",
        )
        add(
            "leitplanke_admin_token",
            str,
            "",
            "Bearer token /metrics requires (Prometheus `authorization: credentials`); "
            "empty: open, for an admin port on loopback only. /healthz holds no data and "
            "stays open for load balancers.",
        )

    def configure(self, updated: set[str]) -> None:
        opts = ctx.options
        check_range("leitplanke_admin_port", 0, 65535, "0 turns the admin port off")
        if opts.leitplanke_admin_port and not opts.leitplanke_admin_host.strip():
            raise exceptions.OptionsError(
                "leitplanke_admin_host: must not be empty — use e.g. 127.0.0.1"
            )
        if updated & {"leitplanke_admin_port", "leitplanke_admin_host"} and self._probing:
            # Changed while running: rebind (the first start happens in running()).
            self._restarting = asyncio.get_running_loop().create_task(self._listen())

    async def running(self) -> None:
        self._probing = asyncio.get_running_loop().create_task(self._probe_forever())
        await self._listen()

    async def _listen(self) -> None:
        await self.server.stop()
        port, host = ctx.options.leitplanke_admin_port, ctx.options.leitplanke_admin_host
        if not port:
            return
        try:
            await self.server.start(host, port)
        except OSError as exc:
            log.error("leitplanke: admin port %s:%d unavailable: %s", host, port, exc)
            return
        log.info("leitplanke: /metrics and /healthz on http://%s:%d", host, port)

    async def done(self) -> None:
        for task in (self._probing, self._restarting):
            if task is not None:
                task.cancel()
        await self.server.stop()

    # ---- counters: one call per row the Recorder writes ----------------------
    def observe(self, row: DecisionRecord | UsageRecord) -> None:
        """Count one row (on the event loop; never raises into the Recorder)."""
        try:
            if isinstance(row, DecisionRecord):
                self._observe_decision(row)
            elif row.kind == "connection":
                self.usage.labels(row.service or "unknown_ai").inc()
        except Exception:
            log.exception("leitplanke: metrics could not count a row")

    def _observe_decision(self, row: DecisionRecord) -> None:
        self.requests.labels(row.service or UNKNOWN, row.action, row.enforced or row.action).inc()
        self.modes.labels(row.mode or "enforce").inc()
        for finding in row.findings:
            self.findings.labels(finding.data_class, finding.entity_type).inc(finding.count)
        if row.error:
            self.errors.labels(row.error.split(":", 1)[0]).inc()
        if row.scan_ms is not None:
            self.scan_seconds.observe(row.scan_ms / 1000)

    # ---- probes -----------------------------------------------------------
    def restarts(self) -> int:
        """Checker workers replaced since start (killed after a scan timeout, or died),
        across pools replaced by policy switches."""
        pool = self._pool()
        return self._restarts_base + (pool.restarts if pool is not None else 0)

    def kills(self) -> int:
        """Checker workers killed because a scan ran past its timeout, since start."""
        pool = self._pool()
        return self._kills_base + (pool.kills if pool is not None else 0)

    def _pool(self) -> ScanPool | None:
        active = self.source.active
        pool = active.pool if active is not None else None
        if pool is not self._seen_pool:
            if self._seen_pool is not None:
                self._restarts_base += self._seen_pool.restarts
                self._kills_base += self._seen_pool.kills
            self._seen_pool = pool
        return pool

    def db_write_lag(self) -> float:
        """Seconds a row handed to the writer now waits: the last probe's round trip,
        or the age of a probe still waiting (a stuck writer shows a growing lag)."""
        started = self._db_probe_started
        waiting = time.monotonic() - started if started is not None else 0.0
        return max(self.db_lag_s, waiting)

    async def probe_db(self, timeout: float) -> None:
        await self._db_flight.run(self.recorder, self._db_round_trip, timeout)

    async def _db_round_trip(self) -> None:
        started = self._db_probe_started = time.monotonic()
        try:
            await self.recorder.write(self._count_spool, None)
        finally:
            self._db_probe_started = None
        self.db_lag_s = time.monotonic() - started

    def _count_spool(self, _: object) -> int:
        """In the writer thread, the spool's only user: no torn reads."""
        spool = self.recorder.spool
        self.spool_rows = len(spool) if spool is not None and spool.pending else 0
        return 0

    async def probe_checker(self, pool: ScanPool, timeout: float) -> None:
        try:
            await self._pool_flight.run(
                # precheck=False: "ok" has no trigger, and the probe must reach a worker.
                pool,
                lambda: pool.scan(["ok"], timeout=PROBE_SCAN_TIMEOUT_S, precheck=False),
                timeout,
            )
        except BaseException:
            self.checker_up = False
            raise
        self.checker_up = True

    async def _probe_forever(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                await self.probe_db(PROBE_SCAN_TIMEOUT_S)
            # Sleep before the first checker probe: PolicySource is warming the pool.
            await asyncio.sleep(PROBE_INTERVAL_S)
            active = self.source.active
            if active is not None:
                with contextlib.suppress(Exception):
                    await self.probe_checker(active.pool, PROBE_SCAN_TIMEOUT_S)

    # ---- endpoints ------------------------------------------------------------
    async def _metrics(self) -> Reply:
        return Reply(200, CONTENT_TYPE_LATEST, generate_latest(self.registry))

    async def _healthz(self) -> Reply:
        status, body = await self.health()
        payload = json.dumps(body, sort_keys=True).encode() + b"\n"
        return Reply(status, "application/json", payload)

    async def health(self) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body): component states only, never user data."""
        checks: dict[str, dict[str, Any]] = {}
        active = self.source.active
        if active is None:
            checks["policy"] = {"status": "fail", "detail": "not_loaded"}
            checks["checker"] = {"status": "fail", "detail": "no_policy"}
        else:
            checks["policy"] = {"status": "ok", "version": active.loaded.version_id}
            checks["checker"] = await self._check_checker(active.pool)
        checks["db"] = await self._check_db()
        checks["reload"] = self._check_reload()
        states = {c["status"] for c in checks.values()}
        if "fail" in (checks["policy"]["status"], checks["checker"]["status"]):
            overall, code = "fail", 503
        elif states == {"ok"}:
            overall, code = "ok", 200
        else:
            overall, code = "degraded", 200
        return code, {"status": overall, "checks": checks}

    async def _check_checker(self, pool: ScanPool) -> dict[str, Any]:
        state: dict[str, Any] = {"workers": pool.workers, "restarts": self.restarts()}
        started = time.monotonic()
        try:
            await self.probe_checker(pool, HEALTH_TIMEOUT_S)
        except TimeoutError:
            return {"status": "fail", "detail": "timeout", **state}
        except Exception as exc:  # the type only: a message could quote anything
            return {"status": "fail", "detail": type(exc).__name__, **state}
        ms = round((time.monotonic() - started) * 1000, 1)
        return {"status": "ok", "ms": ms, **state}

    def _check_reload(self) -> dict[str, Any]:
        """A rejected reload: the gateway enforces the last good policy (so not "fail":
        every node shares the file, and 503 would take them all out of rotation for a
        typo), but the policy on disk is not the one in force."""
        status = self.source.status
        if status.ok:
            return {"status": "ok"}
        return {
            "status": "degraded",
            "detail": "reload_rejected",
            "trigger": status.trigger,
            "reason": status.reason[:300],
        }

    async def _check_db(self) -> dict[str, Any]:
        try:
            await self.probe_db(HEALTH_TIMEOUT_S)
        except TimeoutError:
            lag = round(self.db_write_lag(), 1)
            return {"status": "degraded", "detail": "writer_slow", "lag_s": lag}
        except Exception as exc:
            return {"status": "degraded", "detail": type(exc).__name__}
        if self.spool_rows:
            return {"status": "degraded", "detail": "spooling", "spool_rows": self.spool_rows}
        return {"status": "ok", "lag_s": round(self.db_lag_s, 3)}


class _StateCollector(Collector):
    """Gauges read at scrape time (cheap attribute reads on the event loop)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Any]:
        m = self.metrics
        active = m.source.active
        info = GaugeMetricFamily(
            "leitplanke_policy_info", "The active policy (value 1).", labels=["version"]
        )
        if active is not None:
            info.add_metric([active.loaded.version_id], 1)
        yield info
        if active is not None:
            yield GaugeMetricFamily(
                "leitplanke_checker_workers",
                "Checker worker processes (0: one thread in the proxy process).",
                value=active.pool.workers,
            )
        yield CounterMetricFamily(
            "leitplanke_checker_restarts",
            "Checker worker processes replaced (killed after a scan timeout, or died).",
            value=m.restarts(),
        )
        yield CounterMetricFamily(
            "leitplanke_checker_kills",
            "Checker worker processes killed because a scan ran past its timeout.",
            value=m.kills(),
        )
        if m.checker_up is not None:
            yield GaugeMetricFamily(
                "leitplanke_checker_up",
                "1 if the last probe scan (background or /healthz) succeeded.",
                value=int(m.checker_up),
            )
        yield from _siem_metrics(m.recorder)
        status = m.source.status
        yield GaugeMetricFamily(
            "leitplanke_config_last_reload_successful",
            "1 if the last reload of the policy or config (file change, SIGHUP) was "
            "accepted, 0 if it was rejected and the last good one is still in force.",
            value=int(status.ok),
        )
        yield GaugeMetricFamily(
            "leitplanke_config_last_reload_success_timestamp_seconds",
            "Unix time of the last accepted reload (or of the start).",
            value=status.last_success,
        )
        failures = CounterMetricFamily(
            "leitplanke_reload_failures",
            "Rejected reloads, by trigger (file: hot reload of the policy file; signal: "
            "SIGHUP / systemctl reload).",
            labels=["trigger"],
        )
        for trigger in ("file", "signal"):
            failures.add_metric([trigger], status.failures.get(trigger, 0))
        yield failures
        yield GaugeMetricFamily(
            "leitplanke_db_write_lag_seconds",
            "How long a row handed to the database writer waits (last probe, or the "
            "age of a probe still waiting).",
            value=m.db_write_lag(),
        )
        yield GaugeMetricFamily(
            "leitplanke_spool_rows",
            "Rows waiting in the spool because the database could not take them.",
            value=m.spool_rows,
        )


def _siem_metrics(recorder: Recorder) -> Iterator[Any]:
    """The SIEM target's state, when one is configured (leitplanke_siem)."""
    sink = recorder.siem
    worker = sink.worker if sink is not None else None
    if sink is None or worker is None:
        return
    yield GaugeMetricFamily(
        "leitplanke_siem_up",
        "1 while the SIEM target is open and takes events; 0 while the gateway retries "
        "it (down at start, or a send failed).",
        value=int(worker.up),
    )
    events = CounterMetricFamily(
        "leitplanke_siem_events",
        "SIEM events by result: sent, failed (target down) or dropped (queue full).",
        labels=["result"],
    )
    events.add_metric(["sent"], worker.sent)
    events.add_metric(["failed"], worker.failed)
    events.add_metric(["dropped"], sink.dropped)
    yield events
