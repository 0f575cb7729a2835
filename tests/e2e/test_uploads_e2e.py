"""End to end: files uploaded to AI services are read and checked like prompts.

curl uploads PDF, Word and Excel files through a real `leitplanke proxy` (multipart
to the OpenAI files API and Claude's upload endpoint, a raw PUT to ChatGPT's blob
host). With an IBAN inside, the upload is blocked and never reaches the (local, fake)
upstream; clean files pass. Images cannot be read (no OCR): with the embedded
default policy (`unscanned_files: log`) they pass and the decision says so.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.fake_upstream import FakeUpstream
from bench.proxies import Gateway, start_gateway, stop_gateway
from tests.extract.file_samples import (
    PNG_1X1,
    SAMPLE_IBAN,
    docx_bytes,
    pdf_bytes,
    xlsx_bytes,
)

pytestmark = pytest.mark.e2e

SECRET_LINE = f"Bitte überweisen an {SAMPLE_IBAN}"
CLEAN_LINE = "Quartalsbericht: Umsatz gestiegen, Wärmepumpen gut verkauft."

FILES: dict[str, tuple[str, Callable[[str], bytes]]] = {
    "pdf": ("bericht.pdf", lambda line: pdf_bytes([line])),
    "docx": ("bericht.docx", lambda line: docx_bytes([line])),
    "xlsx": ("bericht.xlsx", lambda line: xlsx_bytes({"Tabelle1": [["Notiz"], [line]]})),
}


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    upstream = FakeUpstream().start()
    target = f"http://127.0.0.1:{upstream.port}"
    gw = start_gateway(
        tmp_path_factory.mktemp("uploads"),
        upstream,
        [
            "--set",
            rf"map_remote=|https://claude\.ai|{target}",
            "--set",
            rf"map_remote=|https://files\.oaiusercontent\.com|{target}",
        ],
    )
    yield gw
    stop_gateway(gw)
    upstream.stop()


def curl(gateway: Gateway, *args: str) -> tuple[int, str]:
    done = subprocess.run(
        [
            "curl",
            "-sS",
            "-x",
            gateway.proxy_url,
            "--cacert",
            str(gateway.ca),
            "-w",
            "\n%{http_code}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    body, status = done.stdout.rsplit("\n", 1)
    return int(status), body


def upload(gateway: Gateway, tmp: Path, kind: str, line: str, how: str) -> tuple[int, str]:
    name, build = FILES[kind]
    path = tmp / name
    path.write_bytes(build(line))
    if how == "openai-files":
        return curl(
            gateway,
            "-F",
            "purpose=assistants",
            "-F",
            f"file=@{path}",
            "https://api.openai.com/v1/files",
        )
    if how == "claude-upload":
        return curl(
            gateway, "-F", f"file=@{path}", "https://claude.ai/api/organizations/org-1/upload"
        )
    return curl(
        gateway,
        "-X",
        "PUT",
        "-H",
        "content-type: application/octet-stream",
        "--data-binary",
        f"@{path}",
        "https://files.oaiusercontent.com/file-abc?se=2026&sig=x",
    )


@pytest.mark.parametrize("how", ["openai-files", "claude-upload", "chatgpt-blob-put"])
@pytest.mark.parametrize("kind", ["pdf", "docx", "xlsx"])
def test_file_with_an_iban_is_blocked(
    gateway: Gateway, tmp_path: Path, kind: str, how: str
) -> None:
    before = len(gateway.upstream.requests)
    status, body = upload(gateway, tmp_path, kind, SECRET_LINE, how)
    assert status == 403, body
    assert "IBAN" in body and SAMPLE_IBAN not in body
    assert len(gateway.upstream.requests) == before  # never forwarded


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_clean_file_passes(gateway: Gateway, tmp_path: Path, kind: str) -> None:
    before = len(gateway.upstream.requests)
    status, _ = upload(gateway, tmp_path, kind, CLEAN_LINE, "claude-upload")
    assert status != 403
    assert len(gateway.upstream.requests) == before + 1


def test_image_is_not_scanned_and_the_policy_decides(gateway: Gateway, tmp_path: Path) -> None:
    image = tmp_path / "foto.png"
    image.write_bytes(PNG_1X1)
    status, _ = curl(
        gateway, "-F", f"file=@{image}", "https://claude.ai/api/organizations/o/upload"
    )
    assert status != 403
    with sqlite3.connect(gateway.db) as conn:
        reasons = [r for (r,) in conn.execute("select reasons from decisions order by id")]
    assert any("unscanned_files" in r for r in reasons)


def test_no_raw_iban_in_the_database(gateway: Gateway) -> None:
    for suffix in ("", "-wal"):
        path = Path(f"{gateway.db}{suffix}")
        if path.exists():
            data = path.read_bytes()
            assert SAMPLE_IBAN.encode() not in data
            assert SAMPLE_IBAN.replace(" ", "").encode() not in data
