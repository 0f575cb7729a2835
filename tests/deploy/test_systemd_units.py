"""deploy/systemd: the units are hardened, verify with systemd-analyze, and their
ExecStart is a real `leitplanke` command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from cli.main import notify, proxy, report, review
from rules.strict_yaml import load_yaml
from tests.deploy.units import (
    INSTALLED_BINARY,
    SYSTEMD,
    command_line,
    last,
    parse_unit,
    specifiers,
)

UNITS = [
    "leitplanke.service",
    "leitplanke-review.service",
    "leitplanke-notify.service",
    "leitplanke-report.service",
]
# Long-running services start with the machine; the others are started by their timer.
SERVICES = ["leitplanke.service", "leitplanke-review.service"]
TIMERS = {
    "leitplanke-notify.service": "leitplanke-notify.timer",
    "leitplanke-report.service": "leitplanke-report.timer",
}

HARDENING = {
    "NoNewPrivileges": "yes",
    "CapabilityBoundingSet": "",
    "AmbientCapabilities": "",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectControlGroups": "yes",
    "RestrictNamespaces": "yes",
    "RestrictSUIDSGID": "yes",
    "LockPersonality": "yes",
    "SystemCallArchitectures": "native",
    "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "DynamicUser": "yes",
    "User": "leitplanke",
    "StateDirectory": "leitplanke",
    "StateDirectoryMode": "0700",
    "UMask": "0077",
    "KillSignal": "SIGTERM",
}

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.parametrize("name", UNITS)
def test_unit_is_hardened(name: str) -> None:
    unit = parse_unit(SYSTEMD / name)
    service = unit["Service"]
    for key, value in HARDENING.items():
        assert service.get(key, [None])[-1] == value, f"{name}: {key}"
    assert service["SystemCallFilter"][0] == "@system-service"
    assert "~@privileged" in service["SystemCallFilter"]
    assert int(last(unit, "TimeoutStopSec")) >= 10
    # No secret or personal value in the unit itself; nothing runs as root.
    assert "User" in service and service["User"] != ["root"]


@pytest.mark.parametrize("name", SERVICES)
def test_long_running_units_start_with_the_machine(name: str) -> None:
    unit = parse_unit(SYSTEMD / name)
    # Incompatible: pyOpenSSL's cffi callbacks need W+X memory (test_service_e2e.py
    # shows the TLS handshake failing under the kernel's equivalent).
    assert unit["Service"].get("MemoryDenyWriteExecute", ["no"])[-1] == "no"
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]


@pytest.mark.parametrize(("name", "timer_name"), sorted(TIMERS.items()))
def test_timer_units_run_once_and_are_started_by_their_timer(name: str, timer_name: str) -> None:
    unit = parse_unit(SYSTEMD / name)
    assert last(unit, "Type") == "oneshot" and "Install" not in unit
    assert int(last(unit, "TimeoutStartSec").removesuffix("min")) >= 1
    timer = parse_unit(SYSTEMD / timer_name)
    assert timer["Install"]["WantedBy"] == ["timers.target"]
    assert last(timer, "Persistent", "Timer") == "true"  # a missed run is made up
    # A command line, not a shell: no `sh -c`, no $(date) to get wrong.
    assert last(unit, "ExecStart").startswith(INSTALLED_BINARY + " ")


def test_gateway_unit_config_and_shutdown() -> None:
    unit = parse_unit(SYSTEMD / "leitplanke.service")
    assert last(unit, "ConfigurationDirectory") == "leitplanke"
    # SIGTERM to the gateway only: it stops its checker workers itself.
    assert last(unit, "KillMode") == "mixed"
    assert last(unit, "WorkingDirectory") == "%S/leitplanke"
    # systemctl reload: SIGHUP to the gateway, which re-reads policy and config
    # (tests/e2e/test_signals_e2e.py).
    assert last(unit, "ExecReload") == "/bin/kill -HUP $MAINPID"


def test_gateway_exec_start_is_a_real_proxy_command_line(tmp_path: Path) -> None:
    unit = parse_unit(SYSTEMD / "leitplanke.service")
    values = specifiers(tmp_path / "etc", tmp_path / "state", tmp_path / "creds")
    argv = command_line(unit, values, "leitplanke")
    assert argv[1] == "proxy"
    ctx = proxy.make_context("proxy", argv[2:])  # click accepts every flag
    assert ctx.params["config_file"] == f"{tmp_path}/etc/leitplanke/config.yaml"
    # No --db/--confdir pinned here: the config file is the one place (ca export,
    # purge, review… read it too), and the example puts both in the state directory.
    assert ctx.params["db"] == "./leitplanke.db" and ctx.params["confdir"] is None
    example = load_yaml((SYSTEMD.parent / "config.example.yaml").read_text("utf-8"))
    state = "/var/lib/" + last(unit, "StateDirectory")
    assert example["db"] == f"{state}/leitplanke.db"
    assert example["confdir"] == f"{state}/mitmproxy"


def test_review_exec_start_is_a_real_review_command_line(tmp_path: Path) -> None:
    unit = parse_unit(SYSTEMD / "leitplanke-review.service")
    credential, _, source = last(unit, "LoadCredential").partition(":")
    assert credential == "dpo.hash" and source == "/etc/leitplanke/dpo.hash"
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / credential).write_text("hash\n")
    values = specifiers(tmp_path / "etc", tmp_path / "state", creds)
    argv = command_line(unit, values, "leitplanke")
    assert argv[1] == "review"
    config = tmp_path / "etc" / "leitplanke" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(f"db: {tmp_path}/state/leitplanke/leitplanke.db\n", "utf-8")
    ctx = review.make_context("review", argv[2:])
    assert ctx.params["db"] == f"{tmp_path}/state/leitplanke/leitplanke.db"  # the gateway's
    assert ctx.params["host"] == "127.0.0.1"
    assert ctx.params["password_hash_file"] == str(creds / "dpo.hash")


def test_notify_exec_start_is_a_real_notify_command_line(tmp_path: Path) -> None:
    unit = parse_unit(SYSTEMD / "leitplanke-notify.service")
    credential, _, source = last(unit, "LoadCredential").partition(":")
    assert credential == "smtp.password" and source == "/etc/leitplanke/smtp.password"
    values = specifiers(tmp_path / "etc", tmp_path / "state", tmp_path / "creds")
    argv = command_line(unit, values, "leitplanke")
    assert argv[1:] == ["notify", "--config", f"{tmp_path}/etc/leitplanke/config.yaml"]
    # The gateway's own config file names the database (and holds notify:).
    db = _config_naming_the_db(tmp_path)
    assert notify.make_context("notify", argv[2:]).params["db"] == db


def _config_naming_the_db(tmp_path: Path) -> str:
    """The config file as deploy/config.example.yaml has it, in tmp_path."""
    db = f"{tmp_path}/state/leitplanke/leitplanke.db"
    config = tmp_path / "etc" / "leitplanke" / "config.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"db: {db}\n", "utf-8")
    return db


def test_report_exec_start_writes_a_dated_file_itself(tmp_path: Path) -> None:
    unit = parse_unit(SYSTEMD / "leitplanke-report.service")
    values = specifiers(tmp_path / "etc", tmp_path / "state", tmp_path / "creds")
    argv = command_line(unit, values, "leitplanke")
    assert argv[1] == "report"
    db = _config_naming_the_db(tmp_path)
    ctx = report.make_context("report", argv[2:])
    assert ctx.params["db"] == db  # the config file's
    assert ctx.params["period"] is None  # the last calendar month
    assert ctx.params["output"] == f"{tmp_path}/state/leitplanke/reports/leitplanke-{{period}}.pdf"
    assert ctx.params["fmt"] == "pdf"


def test_exec_start_rejects_what_click_would() -> None:
    with pytest.raises(click.UsageError):
        proxy.make_context("proxy", ["--no-such-flag"])


def _installed_copy(tmp_path: Path, name: str) -> Path:
    """The unit with ExecStart pointing at this checkout's binary (verify checks that
    the program exists)."""
    program = Path(sys.executable).with_name("leitplanke")
    text = (SYSTEMD / name).read_text("utf-8").replace(INSTALLED_BINARY, str(program))
    copy = tmp_path / name
    copy.write_text(text, "utf-8")
    return copy


def _systemd_analyze(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SYSTEMD_ANALYZE), *args], capture_output=True, text=True, timeout=60, check=False
    )


def _assert_verifies(unit: Path) -> None:
    """`systemd-analyze verify` passes without a word on stderr."""
    result = _systemd_analyze("verify", "--man=no", str(unit))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == "", result.stderr


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("name", UNITS)
def test_systemd_analyze_verify(tmp_path: Path, name: str) -> None:
    _assert_verifies(_installed_copy(tmp_path, name))


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("name", UNITS)
def test_systemd_analyze_security_exposure_is_low(tmp_path: Path, name: str) -> None:
    copy = _installed_copy(tmp_path, name)
    result = _systemd_analyze("security", "--offline=yes", "--threshold=20", str(copy))
    if "Unknown option" in result.stderr or "unrecognized option" in result.stderr:
        pytest.skip("this systemd-analyze has no offline security check")
    assert result.returncode == 0, result.stdout + result.stderr
    score = float(result.stdout.rsplit("exposure level for", 1)[1].split(":")[1].split()[0])
    assert score <= 2.0, result.stdout  # "OK" in systemd's scale (0 safe … 10 exposed)


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize(("name", "timer_name"), sorted(TIMERS.items()))
def test_systemd_analyze_verify_timer(tmp_path: Path, name: str, timer_name: str) -> None:
    _installed_copy(tmp_path, name)  # the timer's service beside it
    timer = tmp_path / timer_name
    timer.write_text((SYSTEMD / timer_name).read_text("utf-8"), "utf-8")
    _assert_verifies(timer)
