"""End to end: every mistake an administrator can make at start is one line naming the
file or option and the fix — exit status 2, no traceback, nothing served.

A table of mistakes (issue 20) fed to real `leitplanke proxy` processes; the option
typos of issue 19 are in test_option_refusals_e2e.py. Then what must *not* stop the
gateway: a SIEM target that is down at start (retried in the background, visible in
/metrics), and a working directory the gateway cannot write (it writes nothing there).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest

from bench.proxies import LEITPLANKE, free_port, port_open, wait_for
from tests.e2e.support import admin_get, policy_gateway
from tests.e2e.test_option_refusals_e2e import (
    assert_one_line_refusal,
    environment,
    proxy_command,
    refused,
)

pytestmark = pytest.mark.e2e

GOOD_POLICY = """\
version: 7
organization: Muster GmbH
contact: dsb@muster.example
data_classes:
  personal: {entities: [IBAN_CODE]}
"""

# case id, extra arguments, files to write (name → text, or bytes; mode 0600), line.
# `{tmp}` is the test's directory, `{port}` the port the gateway is told to use.
CASES: list[tuple[str, list[str], dict[str, str | bytes], str]] = [
    (
        "db-not-a-database",
        ["--db", "{tmp}/old.db"],
        {"old.db": "this is a text file, not SQLite, " * 4},
        "leitplanke_db: '{tmp}/old.db' is not a Leitplanke database or is damaged",
    ),
    (
        "db-is-a-directory",
        ["--db", "{tmp}/dbdir"],
        {"dbdir/placeholder": ""},
        "Invalid value for '--db' (env var: 'LEITPLANKE_DB'): File '{tmp}/dbdir' is a directory.",
    ),
    (
        "corrupt-ca-key",
        [],
        {"conf/mitmproxy-ca.pem": "-----BEGIN RSA PRIVATE KEY-----\ngarbage\n"},
        "conf/mitmproxy-ca.pem: the CA's private key cannot be read — restore it from a backup",
    ),
    (
        "confdir-cannot-be-created",
        ["--confdir", "{tmp}/a-file/conf"],
        {"a-file": "x"},
        "--confdir {tmp}/a-file/conf: no CA there and none can be created",
    ),
    (
        "port-in-use",
        [],
        {},
        "--listen-port {port}: 127.0.0.1:{port} is in use (another gateway or program) — "
        "stop it, or choose another port with --listen-port",
    ),
    (
        "address-not-on-this-host",
        ["--listen-host", "192.0.2.1"],
        {},
        "--listen-host '192.0.2.1': not an address of this host",
    ),
    (
        "policy-not-text",
        ["--policy", "{tmp}/policy.yaml"],
        {"policy.yaml": b"\xff\xfe\x00 version: 1"},
        "{tmp}/policy.yaml:1:1: policy is not UTF-8 text — save the file as UTF-8",
    ),
    (
        "policy-in-config-missing",
        ["--config", "{tmp}/config.yaml"],
        {"config.yaml": "policy: nowhere.yaml\n"},
        "{tmp}/nowhere.yaml:1:1: cannot read policy: No such file or directory",
    ),
    (
        "config-yaml-syntax",
        ["--config", "{tmp}/config.yaml"],
        {"config.yaml": "set: [\n"},
        "{tmp}/config.yaml:2:1: YAML syntax error",
    ),
    (
        "config-key-typo",
        ["--config", "{tmp}/config.yaml"],
        {"config.yaml": "upstream_prox: http://squid:3128\n"},
        "{tmp}/config.yaml:1:1: unknown key 'upstream_prox' — did you mean 'upstream_proxy'?",
    ),
    (
        "config-missing",
        ["--config", "{tmp}/nope.yaml"],
        {},
        "{tmp}/nope.yaml:1:1: cannot read config: No such file or directory",
    ),
    (
        "key-file-not-a-key",
        ["--set", "leitplanke_key_file={tmp}/findings.key"],
        {"findings.key": "zz\n"},
        "{tmp}/findings.key: not a hex key; delete it to create a new one",
    ),
    (
        "upstream-proxy-scheme",
        ["--upstream-proxy", "socks5://proxy.firma.local:1080"],
        {},
        "upstream_proxy: 'socks5://proxy.firma.local:1080': the scheme must be http or https",
    ),
    (
        "upstream-auth-file-readable",
        ["--upstream-proxy", "http://127.0.0.1:3128", "--upstream-auth-file", "{tmp}/auth"],
        {"auth": "svc:pw\n"},
        "upstream_auth_file: {tmp}/auth is readable by others (mode 644); run 'chmod 600",
    ),
    (
        "pac-fallback-not-a-route",
        ["--set", "leitplanke_pac_fallback=squid:3128"],
        {},
        "leitplanke_pac_fallback: 'squid:3128': not a PAC route",
    ),
]


@pytest.mark.parametrize(
    ("args", "files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_mistake_is_one_line_without_traceback(
    tmp_path: Path, args: list[str], files: dict[str, str | bytes], expected: str
) -> None:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        path.chmod(0o644 if name == "auth" else 0o600)
    port = free_port()
    blocker = None
    if "is in use" in expected:
        blocker = socket.socket()
        blocker.bind(("127.0.0.1", port))
        blocker.listen()
    cmd = proxy_command(tmp_path, port, ["--set", "leitplanke_workers=0", *args])
    try:
        status, output = refused(cmd)
    finally:
        if blocker is not None:
            blocker.close()
    assert status == 2, output
    assert_one_line_refusal(
        output, expected.replace("{tmp}", str(tmp_path)).replace("{port}", str(port))
    )
    assert "proxy listening" not in output


# ---- what must not stop the gateway ---------------------------------------------------


def metrics(port: int) -> dict[str, float]:
    status, text = admin_get(port, "/metrics")
    assert status == 200, text
    values = {}
    for line in text.splitlines():
        if line.startswith("leitplanke_siem"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


def test_a_siem_that_is_down_at_start_is_not_fatal(tmp_path: Path) -> None:
    closed = free_port()  # nobody listens there
    admin = free_port()
    with policy_gateway(
        tmp_path,
        None,
        [
            "--set",
            f"leitplanke_siem=syslog:tcp://127.0.0.1:{closed}",
            "--set",
            f"leitplanke_admin_port={admin}",
            "--set",
            "leitplanke_workers=0",
        ],
    ) as gateway:
        wait_for(lambda: port_open(admin), 60, "the admin port")
        wait_for(lambda: b"cannot open" in gateway.log.read_bytes(), 30, "the SIEM error line")
        assert metrics(admin)["leitplanke_siem_up"] == 0
        assert gateway.process.poll() is None  # still serving
    log = gateway.log.read_text(errors="replace")
    lines = [line for line in log.splitlines() if "SIEM syslog:tcp://" in line]
    assert len(lines) == 1 and "Connection refused — retrying every 30 s" in lines[0], log
    assert "Traceback" not in log


def test_nothing_is_written_to_the_working_directory(tmp_path: Path) -> None:
    """--db elsewhere: no ./leitplanke.db or key next to the admin's shell. The working
    directory here cannot take them (./leitplanke.db is a directory; a read-only mount
    too where the test may mount one); the first policy line names the real policy."""
    cwd = tmp_path / "cwd"
    (cwd / "leitplanke.db").mkdir(parents=True)
    readonly = _readonly_mount(tmp_path / "ro")
    policy = tmp_path / "policy.yaml"
    policy.write_text(GOOD_POLICY, encoding="utf-8")
    for workdir in [cwd] + ([readonly] if readonly else []):
        port = free_port()
        log = tmp_path / f"{workdir.name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    LEITPLANKE,
                    "proxy",
                    "--listen-port",
                    str(port),
                    "--policy",
                    str(policy),
                    "--db",
                    str(tmp_path / "state" / "f.db"),
                    "--confdir",
                    str(tmp_path / "conf"),
                    "--set",
                    "leitplanke_workers=0",
                ],
                cwd=workdir,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=environment(),
            )
        try:
            wait_for(lambda: port_open(port), 60, "the gateway to listen")  # noqa: B023
        finally:
            process.terminate()
            process.wait(timeout=30)
        text = log.read_text(errors="replace")
        assert "Traceback" not in text, text
        assert sorted(p.name for p in workdir.iterdir()) == (
            ["leitplanke.db"] if workdir == cwd else []
        )
        policy_lines = [line for line in text.splitlines() if "leitplanke: policy" in line]
        assert policy_lines and f"policy {policy} (version 7@" in policy_lines[0], text
        assert "<embedded default>" not in text
    assert (tmp_path / "state" / "f.db").exists()
    if readonly:
        subprocess.run(["umount", str(readonly)], check=False)


def _readonly_mount(path: Path) -> Path | None:
    """A read-only tmpfs at `path` (root in a container may mount one), else None."""
    path.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    return path if done.returncode == 0 and not os.access(path, os.W_OK) else None


def test_healthz_stays_reachable_json(tmp_path: Path) -> None:
    """Sanity for the helpers above: /metrics of a gateway without SIEM has no SIEM rows."""
    admin = free_port()
    extra = ["--set", f"leitplanke_admin_port={admin}", "--set", "leitplanke_workers=0"]
    with policy_gateway(tmp_path, None, extra):
        wait_for(lambda: port_open(admin), 60, "the admin port")
        assert metrics(admin) == {}
        status, health = admin_get(admin, "/healthz")
        assert status == 200, health
        assert "reload" in json.loads(health)["checks"]
