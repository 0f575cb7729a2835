"""deploy/systemd: the units are hardened, verify with systemd-analyze, and their
ExecStart is a real `leitplanke` command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from cli.main import proxy, review
from rules.strict_yaml import load_yaml
from tests.deploy.units import (
    INSTALLED_BINARY,
    SYSTEMD,
    command_line,
    last,
    parse_unit,
    specifiers,
)

UNITS = ["leitplanke.service", "leitplanke-review.service"]

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
    # Incompatible: pyOpenSSL's cffi callbacks need W+X memory (test_service_e2e.py
    # shows the TLS handshake failing under the kernel's equivalent).
    assert service.get("MemoryDenyWriteExecute", ["no"])[-1] == "no"
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]
    # No secret or personal value in the unit itself; nothing runs as root.
    assert "User" in service and service["User"] != ["root"]


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


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("name", UNITS)
def test_systemd_analyze_verify(tmp_path: Path, name: str) -> None:
    copy = _installed_copy(tmp_path, name)
    result = subprocess.run(
        [str(SYSTEMD_ANALYZE), "verify", "--man=no", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == "", result.stderr


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("name", UNITS)
def test_systemd_analyze_security_exposure_is_low(tmp_path: Path, name: str) -> None:
    copy = _installed_copy(tmp_path, name)
    result = subprocess.run(
        [str(SYSTEMD_ANALYZE), "security", "--offline=yes", "--threshold=20", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if "Unknown option" in result.stderr or "unrecognized option" in result.stderr:
        pytest.skip("this systemd-analyze has no offline security check")
    assert result.returncode == 0, result.stdout + result.stderr
    score = float(result.stdout.rsplit("exposure level for", 1)[1].split(":")[1].split()[0])
    assert score <= 2.0, result.stdout  # "OK" in systemd's scale (0 safe … 10 exposed)
