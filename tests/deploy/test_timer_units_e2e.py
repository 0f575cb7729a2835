"""The timer-started units end to end: leitplanke-notify.service's ExecStart (specifiers
pointing at a tmp dir) mails a real SMTP server (aiosmtpd) over STARTTLS with the
unit's MemoryDenyWriteExecute=yes in force (the kernel's equivalent, when it has it);
leitplanke-report.service's ExecStart writes last month's PDF under a dated name."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from report.data import previous_month_period
from tests.deploy.test_service_e2e import MDWE_WRAPPER, mdwe_supported
from tests.deploy.units import (
    ROOT,
    SYSTEMD,
    command_line,
    environment,
    last,
    parse_unit,
    specifiers,
)
from tests.notify.test_notify_smtp import (
    SMTP_PASSWORD,
    Server,
    seed,
    self_signed,
    smtp_server,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.e2e
BINARY = str(Path(sys.executable).with_name("leitplanke"))


def prepare(tmp_path: Path) -> Path:
    """What systemd and the admin prepare: the state directory (0700), the config
    directory with a policy, the credentials directory."""
    state = tmp_path / "state" / "leitplanke"
    state.mkdir(parents=True, mode=0o700)
    (tmp_path / "etc" / "leitplanke").mkdir(parents=True)
    shutil.copy(ROOT / "policy" / "examples" / "muster-gmbh.de.yaml", tmp_path / "policy.yaml")
    (tmp_path / "creds").mkdir()
    config(tmp_path).write_text(base_config(tmp_path))
    return state


def config(tmp_path: Path) -> Path:
    return tmp_path / "etc" / "leitplanke" / "config.yaml"


def base_config(tmp_path: Path) -> str:
    """What deploy/config.example.yaml says, in tmp_path: where the database and the
    policy are (the units name only the config file)."""
    return f"db: {tmp_path}/state/leitplanke/leitplanke.db\npolicy: {tmp_path}/policy.yaml\n"


def run_unit(name: str, tmp_path: Path, *, mdwe: bool = False) -> subprocess.CompletedProcess[str]:
    """The unit's ExecStart as systemd would run it: its environment, working
    directory and umask; state, config and credentials directories in tmp_path (the
    config file there names the database and the policy)."""
    unit = parse_unit(SYSTEMD / name)
    values = specifiers(tmp_path / "etc", tmp_path / "state", tmp_path / "creds")
    argv = command_line(unit, values, BINARY)
    if mdwe:
        argv = [sys.executable, "-c", MDWE_WRAPPER, *argv]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEITPLANKE_")}
    return subprocess.run(
        argv,
        cwd=values["%S"] + last(unit, "WorkingDirectory").removeprefix("%S"),
        env=env | environment(unit),
        capture_output=True,
        text=True,
        timeout=300,
        umask=int(last(unit, "UMask"), 8),
        check=False,
    )


def test_notify_unit_mails_over_starttls_under_its_memory_protection(
    tmp_path: Path,
    smtp_server: Callable[..., Server],  # noqa: F811
) -> None:
    unit = parse_unit(SYSTEMD / "leitplanke-notify.service")
    assert last(unit, "MemoryDenyWriteExecute") == "yes"
    if not mdwe_supported():
        pytest.skip("the kernel has no PR_SET_MDWE (Linux >= 6.3)")
    state = prepare(tmp_path)
    cert, key = self_signed(tmp_path)
    server = smtp_server(tls=(cert, key), user=f"leitplanke:{SMTP_PASSWORD}")
    seed(state / "leitplanke.db").close()
    # LoadCredential= copies the password file into the credentials directory (%d).
    (tmp_path / "creds" / "smtp.password").write_text(SMTP_PASSWORD + "\n")
    config(tmp_path).write_text(
        base_config(tmp_path) + "listen_port: 8080\n"
        "notify:\n"
        f"  smtp: {{host: 127.0.0.1, port: {server.port}, user: leitplanke,\n"
        f"         password_file: {tmp_path}/creds/smtp.password, ca_file: {cert}}}\n"
        "  from: leitplanke@muster.example\n"
        "  to: [datenschutz@muster.example]\n"
    )
    result = run_unit("leitplanke-notify.service", tmp_path, mdwe=True)
    assert result.returncode == 0, result.stderr
    assert "sent (4 items)" in result.stderr
    assert len(server.mails()) == 1 and "MAIL tls=True auth=True" in server.session()


def test_report_unit_writes_last_months_pdf_under_a_dated_name(tmp_path: Path) -> None:
    if not any(shutil.which(name) for name in ("chromium", "chromium-browser")):
        pytest.skip("no chromium for the PDF")
    state = prepare(tmp_path)
    seed(state / "leitplanke.db").close()
    result = run_unit("leitplanke-report.service", tmp_path)
    assert result.returncode == 0, result.stderr
    label = previous_month_period(datetime.now(UTC)).label
    (pdf,) = (state / "reports").iterdir()
    assert pdf.name == f"leitplanke-{label}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert pdf.stat().st_mode & 0o077 == 0  # UMask=0077: the report is the DPO's
