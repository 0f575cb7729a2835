"""End to end: a configuration mistake never starts a weaker gateway.

Real `leitplanke proxy` and plain `mitmdump -s` processes get the mistakes of issues
19 and 20 (a mistyped fail mode, an unknown option, a duplicate policy key, …): each
must exit non-zero before serving, with the one line that names the option or file
and no traceback. And a valid `--set leitplanke_fail_mode=closed` does block when the
checker is stuck: a real worker process stopped with SIGSTOP makes the scan time out.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from bench.fake_upstream import FakeUpstream
from bench.proxies import (
    LEITPLANKE,
    MITMDUMP,
    curl_chat,
    free_port,
    start_gateway,
    stop_gateway,
    wait_for,
)
from tests.e2e.test_metrics_e2e import checker_workers

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]
ADDON = ROOT / "proxy_addon" / "leitplanke_addon.py"
DUPLICATE_POLICY = ROOT / "tests" / "policy" / "broken" / "21-duplicate-class-in-on-violation.yaml"
IBAN = "DE89 3704 0044 0532 0130 00"


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This environment without proxy settings or LEITPLANKE_* variables."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.lower().endswith("_proxy") and not k.startswith("LEITPLANKE_")
    }
    return {**env, **(extra or {})}


def refused(cmd: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run a command that must refuse to start; (exit status, stdout + stderr)."""
    result = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(env),
        stdin=subprocess.DEVNULL,
    )
    return result.returncode, result.stdout + result.stderr


def assert_one_line_refusal(output: str, fragment: str) -> None:
    assert "Traceback" not in output, output
    matching = [line for line in output.splitlines() if fragment in line]
    assert len(matching) == 1, output


# case id, extra arguments, environment, files to write (name → text), expected line.
# Each way a mistake reaches the gateway once; every option's values are checked in
# tests/proxy_addon/test_option_values.py.
CASES: list[tuple[str, list[str], dict[str, str], dict[str, str], str]] = [
    (
        "fail-mode-typo",
        ["--set", "leitplanke_fail_mode=closd"],
        {},
        {},
        "leitplanke_fail_mode: 'closd' is not valid — did you mean 'closed'? valid values: "
        "policy, closed, open",
    ),
    (
        "unknown-option",
        ["--set", "leitplanke_fial_mode=closed"],
        {},
        {},
        "--set leitplanke_fial_mode: unknown option — did you mean leitplanke_fail_mode?",
    ),
    (
        "option-without-value",
        ["--set", "leitplanke_workers"],
        {},
        {},
        "--set leitplanke_workers: needs a value — write --set leitplanke_workers=VALUE",
    ),
    ("listen-port", ["--listen-port", "99999"], {}, {}, "Invalid value for '--listen-port'"),
    (
        "env-var-named-like-an-option",
        [],
        {"LEITPLANKE_FAIL_MODE": "closed"},
        {},
        "LEITPLANKE_FAIL_MODE is not read by 'leitplanke proxy' — use --set leitplanke_fail_mode=…",
    ),
    (
        "duplicate-policy-key",
        ["--policy", str(DUPLICATE_POLICY)],
        {},
        {},
        f"{DUPLICATE_POLICY}:12:3: duplicate key 'personal' (first at line 10) — remove one",
    ),
    (
        "duplicate-config-key",
        ["--config", "{tmp}/config.yaml"],
        {},
        {"config.yaml": "set:\n  leitplanke_fail_mode: closed\n  leitplanke_fail_mode: open\n"},
        "config.yaml:3:3: duplicate key 'leitplanke_fail_mode' (first at line 2)",
    ),
    (
        "config-value-typo",
        ["--config", "{tmp}/config.yaml"],
        {},
        {"config.yaml": "set:\n  leitplanke_fail_mode: closd\n"},
        "leitplanke_fail_mode: 'closd' is not valid",
    ),
    (
        "mitmproxy-confdir-config",
        [],
        {},
        {"conf/config.yaml": "leitplanke_fial_mode: closed\n"},
        "unknown option leitplanke_fial_mode — did you mean leitplanke_fail_mode?",
    ),
    (
        "db-under-a-file",
        ["--db", "{tmp}/a-file/f.db"],
        {},
        {"a-file": "x"},
        "leitplanke_db: cannot open or create",
    ),
]


def proxy_command(tmp: Path, port: int, args: list[str]) -> list[str]:
    """`leitplanke proxy` on `port` with its CA and database in `tmp`, then `args`
    ("{tmp}" in them stands for `tmp`)."""
    return [
        LEITPLANKE,
        "proxy",
        "--listen-port",
        str(port),
        "--confdir",
        str(tmp / "conf"),
        "--db",
        str(tmp / "f.db"),
        *(a.replace("{tmp}", str(tmp)) for a in args),
    ]


@pytest.mark.parametrize(
    ("args", "env", "files", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_leitplanke_proxy_refuses(
    tmp_path: Path, args: list[str], env: dict[str, str], files: dict[str, str], expected: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    port = free_port()
    status, output = refused(proxy_command(tmp_path, port, args), env)
    assert status == 2, output
    assert_one_line_refusal(output, expected)
    assert "proxy listening" not in output  # refused before any client could connect


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--set", "leitplanke_fial_mode=closed"],
            "unknown option leitplanke_fial_mode — did you mean leitplanke_fail_mode?",
        ),
        (
            ["--set", "leitplanke_fail_mode=closd"],
            "leitplanke_fail_mode: 'closd' is not valid — did you mean 'closed'?",
        ),
        (
            ["--set", f"leitplanke_policy={DUPLICATE_POLICY}"],
            f"{DUPLICATE_POLICY}:12:3: duplicate key 'personal'",
        ),
    ],
    ids=["unknown-option", "fail-mode-typo", "duplicate-policy-key"],
)
def test_plain_mitmdump_refuses(tmp_path: Path, args: list[str], expected: str) -> None:
    cmd = [
        MITMDUMP,
        "-s",
        str(ADDON),
        "--listen-host",
        "127.0.0.1",
        "--listen-port",
        str(free_port()),
        "--set",
        f"confdir={tmp_path / 'conf'}",
        "--set",
        f"leitplanke_db={tmp_path / 'f.db'}",
        "--set",
        "leitplanke_workers=0",
        *args,
    ]
    status, output = refused(cmd)
    assert status != 0, output
    assert_one_line_refusal(output, expected)


# ---- fail closed, for real ----------------------------------------------------------

# The OpenAI API is approved for personal data and the policy itself would fail open:
# only the gateway's fail mode option can block the IBAN below.
LENIENT_POLICY = """\
version: 1
organization: Beispiel AG
contact: dsb@beispiel.example
fail_mode: open
data_classes:
  personal: {entities: [IBAN_CODE]}
tools:
  openai: {name: OpenAI API, services: [openai-api], allowed: [personal]}
on_violation: {personal: block}
"""


def test_fail_mode_closed_blocks_when_the_worker_is_stuck(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(LENIENT_POLICY, encoding="utf-8")
    upstream = FakeUpstream().start()
    gateway = start_gateway(
        tmp_path,
        upstream,
        [
            "--policy",
            str(policy),
            "--set",
            "leitplanke_fail_mode=closed",
            "--set",
            "leitplanke_scan_timeout_ms=1000",
            "--set",
            "leitplanke_workers=1",
        ],
    )
    stopped: list[int] = []
    try:
        try:
            wait_for(lambda: b"checker ready" in gateway.log.read_bytes(), 120, "a warm worker")
        except TimeoutError:
            raise AssertionError(gateway.log.read_text(errors="replace")) from None
        status, _ = curl_chat(gateway.proxy_url, gateway.ca, f"Überweise an {IBAN}")
        assert status == 200  # approved: passes while the checker works
        (worker,) = checker_workers(gateway.process.pid)
        os.kill(worker, signal.SIGSTOP)
        stopped.append(worker)
        before = len(upstream.bodies())
        status, payload = curl_chat(gateway.proxy_url, gateway.ca, f"Überweise an {IBAN} bitte")
        assert status == 403, payload
        assert "Leitplanke" in json.loads(payload)["error"]["message"]
        assert len(upstream.bodies()) == before  # nothing reached the AI service

        def rows() -> list[tuple[object, ...]]:
            with sqlite3.connect(gateway.db) as conn:
                return conn.execute("select action, error from decisions order by id").fetchall()

        wait_for(lambda: len(rows()) >= 2, 20, "the second decision row")
        assert rows()[:2] == [("allow", None), ("block", "checker_error: TimeoutError")]
    finally:
        for pid in stopped:
            with contextlib.suppress(ProcessLookupError):  # replaced by the pool meanwhile
                os.kill(pid, signal.SIGCONT)
        stop_gateway(gateway)
        upstream.stop()
