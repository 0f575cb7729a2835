"""deploy/docker: the image and compose file cannot be built here (no registry), so
they are linted: a pinned slim base, a non-root user, a health check on /healthz, no
piped installers, and a compose file whose services, ports and volume fit together."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from cli.main import proxy, review
from rules.strict_yaml import load_yaml

DOCKER = Path(__file__).resolve().parents[2] / "deploy" / "docker"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", (DOCKER / "Dockerfile").read_text("utf-8"))
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def test_dockerfile_base_user_and_healthcheck() -> None:
    steps = instructions()
    (base,) = [args for word, args in steps if word == "FROM"]
    assert re.fullmatch(r"python:3\.13[\w.-]*-slim[\w.-]*(@sha256:[0-9a-f]{64})?", base), base
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    (check,) = [args for word, args in steps if word == "HEALTHCHECK"]
    assert "/healthz" in check and "--start-period" in check
    port = re.search(r"127\.0\.0\.1:(\d+)/healthz", check)
    cmd = [args for word, args in steps if word == "CMD"][-1]
    assert port and f"leitplanke_admin_port={port[1]}" in cmd  # the admin port is on
    assert [args for word, args in steps if word == "STOPSIGNAL"] == ["SIGTERM"]
    assert [args for word, args in steps if word == "ENTRYPOINT"] == ['["leitplanke"]']


def test_dockerfile_downloads_nothing_at_run_time() -> None:
    text = (DOCKER / "Dockerfile").read_text("utf-8")
    assert not re.search(r"(curl|wget)[^\n|]*\|\s*(ba)?sh", text)
    assert "spacy download" not in text and "huggingface" not in text.lower()
    ignore = (DOCKER / "Dockerfile.dockerignore").read_text("utf-8")
    assert "**/*.db" in ignore and "**/*.key" in ignore  # no findings or keys in the image


def test_cmd_is_a_real_proxy_command_line() -> None:
    cmd = [args for word, args in instructions() if word == "CMD"][-1]
    argv = load_yaml(cmd)  # exec form is a JSON array
    assert argv[0] == "proxy"
    proxy.make_context("proxy", argv[1:])


def test_compose_services_share_the_db_volume(tmp_path: Path) -> None:
    compose = load_yaml((DOCKER / "compose.yaml").read_text("utf-8"))
    gateway, reviewer = compose["services"]["gateway"], compose["services"]["review"]
    assert gateway["build"]["dockerfile"] == "deploy/docker/Dockerfile"
    assert (DOCKER / gateway["build"]["context"] / gateway["build"]["dockerfile"]).is_file()
    assert reviewer["image"] == gateway["image"]
    assert "leitplanke-data:/data" in gateway["volumes"]
    assert "leitplanke-data:/data" in reviewer["volumes"]
    assert "leitplanke-data" in compose["volumes"]
    assert gateway["ports"] == ["8080:8080"]
    assert all(p.startswith("127.0.0.1:") for p in reviewer["ports"])  # the UI: loopback
    assert reviewer["depends_on"]["gateway"]["condition"] == "service_healthy"
    for service in (gateway, reviewer):
        assert service["cap_drop"] == ["ALL"] and service["read_only"] is True
    proxy.make_context("proxy", gateway["command"][1:])
    # The review command line, with the secret file present.
    argv = [a.replace("/run/secrets/dpo_hash", str(tmp_path / "h")) for a in reviewer["command"]]
    (tmp_path / "h").write_text("hash\n")
    ctx = review.make_context("review", argv[1:])
    assert ctx.params["db"] == "/data/leitplanke.db"
    assert "dpo_hash" in compose["secrets"]


@pytest.mark.skipif(shutil.which("hadolint") is None, reason="hadolint is not installed")
def test_hadolint() -> None:
    result = subprocess.run(
        ["hadolint", "--failure-threshold", "warning", str(DOCKER / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + shlex.quote(result.stderr)
