"""Signals to a real `leitplanke proxy` with a config file and a checker worker process.

SIGHUP (`systemctl reload`) re-reads the policy and the config file: an accepted
reload switches the policy version, a rejected one keeps the last good policy and
shows up in `/healthz` ("degraded" with the reason), in `/metrics` and as one log
line — and the gateway, its forkserver, resource tracker and worker all keep running.
SIGTERM, SIGINT and a Ctrl-C to the whole process group stop the gateway with every
process below it gone (/proc, with start times against PID reuse).
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bench.fake_upstream import FakeUpstream
from bench.proxies import Gateway, curl_chat, free_port, start_gateway, stop_gateway, wait_for
from tests.e2e.support import admin_get
from tests.e2e.test_metrics_e2e import checker_workers, descendants

pytestmark = pytest.mark.e2e

POLICY = """\
version: 1
organization: Beispiel AG
contact: dsb@beispiel.example
data_classes:
  confidential: {terms: [Projekt Falke]}
tools:
  gpt: {services: [openai-api], allowed: [confidential]}
"""


def start_time(pid: int) -> str | None:
    """Field 22 of /proc/PID/stat (start time in clock ticks); None once it is gone
    or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else fields[19]


def process_tree(pid: int) -> dict[int, str]:
    """{pid: start time} of every process below `pid`."""
    return {p: t for p in descendants(pid) if (t := start_time(p)) is not None}


def still_running(tree: dict[int, str]) -> list[int]:
    return [p for p, t in tree.items() if start_time(p) == t]


@dataclass
class Running:
    gateway: Gateway
    admin_port: int
    policy: Path
    config: Path

    def get(self, path: str) -> tuple[int, str]:
        return admin_get(self.admin_port, path)

    def health(self) -> tuple[int, dict[str, object]]:
        status, body = self.get("/healthz")
        return status, json.loads(body)

    def metric(self, name: str, **labels: str) -> float:
        _, text = self.get("/metrics")
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                if s.name == name and s.labels == labels:
                    return float(s.value)
        raise KeyError(name)

    def log_lines(self, fragment: str) -> list[str]:
        text = self.gateway.log.read_text(errors="replace")
        return [line for line in text.splitlines() if fragment in line]

    def hup_and_wait(self, count: int) -> None:
        """SIGHUP, then wait for the reload's outcome line number `count`."""
        self.gateway.process.send_signal(signal.SIGHUP)

        def outcomes() -> int:
            return len(self.log_lines("leitplanke: reloaded")) + len(
                self.log_lines("reload rejected")
            )

        wait_for(lambda: outcomes() >= count, 30, f"reload outcome {count}")


def launch(tmp: Path, upstream: FakeUpstream, own_group: bool = False) -> Running:
    policy, config = tmp / "policy.yaml", tmp / "config.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    admin = free_port()
    config.write_text(
        f"policy: {policy}\n"
        "set:\n"
        "  leitplanke_workers: 1\n"
        f"  leitplanke_admin_port: {admin}\n"
        "  leitplanke_policy_reload_s: 0\n",  # only SIGHUP reloads here
        encoding="utf-8",
    )
    gateway = start_gateway(tmp / "gw", upstream, ["--config", str(config)], own_group=own_group)
    running = Running(gateway, admin, policy, config)
    try:
        wait_for(lambda: running.log_lines("checker ready"), 120, "a warm checker worker")
        wait_for(lambda: _healthy(running), 60, "a healthy gateway")
    except TimeoutError:
        stop_gateway(gateway)
        raise AssertionError(gateway.log.read_text(errors="replace")) from None
    return running


def _healthy(running: Running) -> bool:
    try:
        return running.health()[0] == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeUpstream]:
    server = FakeUpstream().start()
    yield server
    server.stop()


def test_sighup_reloads_and_shows_a_rejected_reload(tmp_path: Path, upstream: FakeUpstream) -> None:
    running = launch(tmp_path, upstream)
    gateway = running.gateway
    try:
        tree = process_tree(gateway.process.pid)
        assert len(checker_workers(gateway.process.pid)) == 1
        assert len(tree) >= 3, tree  # forkserver, resource tracker, worker
        status, _ = curl_chat(gateway.proxy_url, gateway.ca, "Status Projekt Falke?")
        assert status == 200  # allowed for the approved tool by version 1

        # 1. A valid edit: SIGHUP switches to version 2, which blocks the term.
        running.policy.write_text(
            POLICY.replace("version: 1", "version: 2").replace("[confidential]}", "[]}"),
            encoding="utf-8",
        )
        running.hup_and_wait(1)
        status, body = running.health()
        assert status == 200 and body["status"] == "ok", body
        assert str(body["checks"]["policy"]["version"]).startswith("2@")  # type: ignore[index]
        status, _ = curl_chat(gateway.proxy_url, gateway.ca, "Status Projekt Falke?")
        assert status == 403
        assert running.metric("leitplanke_config_last_reload_successful") == 1

        # 2. A broken policy: rejected, version 2 stays, visible everywhere.
        running.policy.write_text(POLICY + "tools: {}\n", encoding="utf-8")
        running.hup_and_wait(2)
        status, body = running.health()
        reload = body["checks"]["reload"]  # type: ignore[index]
        assert status == 200 and body["status"] == "degraded", body
        assert reload["status"] == "degraded" and reload["trigger"] == "signal", reload
        assert f"{running.policy}:8:1: duplicate key 'tools'" in reload["reason"], reload
        assert str(body["checks"]["policy"]["version"]).startswith("2@")  # type: ignore[index]
        assert running.metric("leitplanke_config_last_reload_successful") == 0
        assert running.metric("leitplanke_reload_failures_total", trigger="signal") == 1
        rejected = running.log_lines("reload rejected")
        assert len(rejected) == 1 and "duplicate key 'tools'" in rejected[0], rejected

        # 3. A mistake in the config file: the option is named, nothing changes.
        good_config = running.config.read_text(encoding="utf-8")
        running.policy.write_text(POLICY, encoding="utf-8")
        running.config.write_text(good_config + "  leitplanke_fail_mode: closd\n", "utf-8")
        running.hup_and_wait(3)
        _, body = running.health()
        reason = body["checks"]["reload"]["reason"]  # type: ignore[index]
        assert "leitplanke_fail_mode: 'closd' is not valid" in reason, body
        assert str(body["checks"]["policy"]["version"]).startswith("2@")  # type: ignore[index]

        # 4. Both fixed: accepted, healthy again, version 1 back in force.
        running.config.write_text(good_config, encoding="utf-8")
        running.hup_and_wait(4)
        status, body = running.health()
        assert (status, body["status"]) == (200, "ok"), body
        assert str(body["checks"]["policy"]["version"]).startswith("1@")  # type: ignore[index]
        assert running.metric("leitplanke_config_last_reload_successful") == 1

        # Four reloads later: the same gateway and the same worker processes.
        assert gateway.process.poll() is None
        assert sorted(still_running(tree)) == sorted(tree), tree
        assert "Traceback" not in gateway.log.read_text(errors="replace")
    finally:
        stop_gateway(gateway)


@pytest.mark.parametrize(
    ("how", "number"),
    [("sigterm", signal.SIGTERM), ("sigint", signal.SIGINT), ("ctrl-c", signal.SIGINT)],
)
def test_stop_signals_leave_no_process_behind(
    tmp_path: Path, upstream: FakeUpstream, how: str, number: signal.Signals
) -> None:
    group = how == "ctrl-c"
    running = launch(tmp_path, upstream, own_group=group)
    process = running.gateway.process
    try:
        tree = process_tree(process.pid)
        assert len(checker_workers(process.pid)) == 1 and len(tree) >= 3, tree
        if group:  # a terminal's Ctrl-C: every process of the group gets SIGINT
            os.killpg(process.pid, number)
        else:  # systemd's KillMode=mixed: the main process only
            process.send_signal(number)
        assert process.wait(timeout=30) == 0
        wait_for(lambda: not still_running(tree), 15, "every child process to exit")
    finally:
        stop_gateway(running.gateway)
    log = running.gateway.log.read_text(errors="replace")
    assert "Traceback" not in log and "KeyboardInterrupt" not in log, log
