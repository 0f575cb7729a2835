"""End to end: a real `leitplanke proxy` with the admin port. /metrics moves when a
prompt with personal data is checked; when the checker's worker process is killed the
pool starts a new one at once (restarts +1) and /healthz is 200 again once it answers
(503 "timeout" at most while it builds its engine)."""

from __future__ import annotations

import json
import os
import re
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bench.fake_upstream import FakeUpstream
from bench.proxies import (
    Gateway,
    curl_chat,
    free_port,
    port_open,
    start_gateway,
    stop_gateway,
    wait_for,
)
from tests.e2e.support import admin_get

pytestmark = pytest.mark.e2e

IBAN = "DE89 3704 0044 0532 0130 00"
DASHBOARD = Path(__file__).parents[2] / "docs" / "grafana-dashboard.json"


@dataclass
class Admin:
    gateway: Gateway
    port: int

    def get(self, path: str) -> tuple[int, str]:
        return admin_get(self.port, path)

    def health(self) -> tuple[int, dict[str, object]]:
        status, body = self.get("/healthz")
        return status, json.loads(body)

    def samples(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        status, text = self.get("/metrics")
        assert status == 200
        return {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Admin]:
    upstream = FakeUpstream().start()
    port = free_port()
    gateway = start_gateway(
        tmp_path_factory.mktemp("metrics"),
        upstream,
        ["--set", f"leitplanke_admin_port={port}", "--set", "leitplanke_workers=1"],
    )
    admin = Admin(gateway, port)
    try:
        # The admin port opens in Metrics.running(), possibly after the proxy port the
        # gateway was waited for; the checker builds its engine in the worker first.
        wait_for(
            lambda: port_open(port) and admin.get("/healthz")[0] == 200, 120, "a healthy gateway"
        )
        yield admin
    finally:
        stop_gateway(gateway)
        upstream.stop()


def value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_move_when_a_prompt_is_checked(admin: Admin) -> None:
    before = admin.samples()
    status, _ = curl_chat(admin.gateway.proxy_url, admin.gateway.ca, f"Konto {IBAN}")
    assert status == 403  # blocked: the default policy keeps personal data from the API
    wait_for(
        lambda: (
            value(
                admin.samples(),
                "leitplanke_requests_total",
                service="openai-api",
                action="block",
                enforced="block",
            )
            > 0
        ),
        10,
        "the decision to be counted",
    )
    after = admin.samples()
    key = {"service": "openai-api", "action": "block", "enforced": "block"}
    assert value(after, "leitplanke_requests_total", **key) == (
        value(before, "leitplanke_requests_total", **key) + 1
    )
    iban = {"data_class": "personal", "entity_type": "IBAN_CODE"}
    assert value(after, "leitplanke_findings_total", **iban) > value(
        before, "leitplanke_findings_total", **iban
    )
    assert value(after, "leitplanke_scan_seconds_count") == (
        value(before, "leitplanke_scan_seconds_count") + 1
    )
    connections = {"service": "openai-api"}
    assert value(after, "leitplanke_usage_connections_total", **connections) > value(
        before, "leitplanke_usage_connections_total", **connections
    )
    assert value(after, "leitplanke_checker_workers") == 1
    assert [k for k in after if k[0] == "leitplanke_policy_info"]
    _, text = admin.get("/metrics")
    assert IBAN not in text and IBAN.replace(" ", "") not in text


def test_dashboard_queries_metrics_the_gateway_exposes(admin: Admin) -> None:
    _, text = admin.get("/metrics")
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"]}
    exposed = {
        family.name + suffix
        for family in text_string_to_metric_families(text)
        for suffix in suffixes.get(family.type, [""])
    }
    dashboard = json.loads(DASHBOARD.read_text("utf-8"))
    queried = {
        name
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        for name in re.findall(r"\bleitplanke_[a-z_]+", target.get("expr", ""))
    }
    assert queried and not queried - exposed, queried - exposed


def descendants(pid: int) -> dict[int, tuple[int, str]]:
    """{pid: (parent pid, command line)} of every process below `pid`, from /proc."""
    parents: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])  # field 4, after "(comm)"
        parents[int(entry.name)] = (ppid, cmdline)
    below: dict[int, tuple[int, str]] = {}
    frontier = {pid}
    while frontier:
        children = {p for p, (ppid, _) in parents.items() if ppid in frontier}
        below.update({p: parents[p] for p in children})
        frontier = children
    return below


def checker_workers(gateway_pid: int) -> list[int]:
    """The gateway starts a forkserver (`multiprocessing.forkserver` on its command
    line) and a resource tracker; every checker worker is forked from the forkserver,
    so the workers are the forkserver's children (same command line, other parent)."""
    procs = descendants(gateway_pid)
    servers = {
        p
        for p, (ppid, cmd) in procs.items()
        if ppid == gateway_pid and "multiprocessing.forkserver" in cmd
    }
    return [p for p, (ppid, _) in procs.items() if ppid in servers]


def test_a_dead_worker_is_replaced_and_healthz_follows(admin: Admin) -> None:
    status, body = admin.health()
    assert (status, body["status"]) == (200, "ok"), body
    restarts = value(admin.samples(), "leitplanke_checker_restarts_total")
    workers = checker_workers(admin.gateway.process.pid)
    assert len(workers) == 1, workers
    os.kill(workers[0], signal.SIGKILL)

    # The pool notices the death at once and starts a new worker; while it builds its
    # engine (seconds) the probe finds no free worker and /healthz may say 503.
    wait_for(
        lambda: value(admin.samples(), "leitplanke_checker_restarts_total") == restarts + 1,
        30,
        "the replacement worker",
    )
    seen: list[tuple[int, dict[str, object]]] = []

    def healthy() -> bool:
        seen.append(admin.health())
        return seen[-1][0] == 200

    wait_for(healthy, 120, "the new worker to answer")
    for status, body in seen[:-1]:
        checker = body["checks"]["checker"]  # type: ignore[index]
        assert (status, checker["status"], checker["detail"]) == (503, "fail", "timeout"), body
    after = admin.samples()
    assert value(after, "leitplanke_checker_restarts_total") == restarts + 1
    assert value(after, "leitplanke_checker_kills_total") == 0
    assert value(after, "leitplanke_checker_up") == 1
    assert checker_workers(admin.gateway.process.pid) != workers
