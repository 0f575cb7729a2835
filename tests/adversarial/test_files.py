"""The file cases (file_cases.py) through a real `leitplanke proxy` with the embedded
default policy, every AI host mapped to a recording upstream.

A blocked case: the client saw the gateway's refusal and *nothing* of it reached the
upstream (an Uploads API create carries only metadata and may arrive). Then: what the
findings log recorded (the reason, never a value), and that no bomb leaves the gateway
slow for the next request.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator

import pytest

from bench.proxies import Gateway, start_gateway, stop_gateway
from tests.adversarial.file_cases import CASES, openai_file
from tests.adversarial.files_harness import (
    EMAIL,
    IBAN,
    Case,
    Client,
    FilesUpstream,
    httpx,
    sdk_status,
    verify,
)
from tests.extract.file_samples import zip_bomb_docx
from tests.extract.hidden_archives import ARCHIVE_PLACES, oversize_member
from tests.extract.hidden_documents import DOCUMENT_PLACES

pytestmark = pytest.mark.e2e

PLACES = {**DOCUMENT_PLACES, **ARCHIVE_PLACES}
# Requests of a blocked case that may reach the upstream: they carry no file content.
METADATA_ONLY = ("/v1/uploads", "/upload/v1beta/files")


@pytest.fixture(scope="module")
def upstream() -> Iterator[FilesUpstream]:
    server = FilesUpstream().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(
    tmp_path_factory: pytest.TempPathFactory, upstream: FilesUpstream
) -> Iterator[tuple[Gateway, Client]]:
    catch_all = rf"map_remote=|https://[^/]+|http://127.0.0.1:{upstream.port}"
    running = start_gateway(tmp_path_factory.mktemp("files"), upstream, ["--set", catch_all])
    http = httpx.Client(proxy=running.proxy_url, verify=verify(running.ca), timeout=120)
    yield running, Client(running.proxy_url, running.ca, http)
    http.close()
    stop_gateway(running)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case: Case, gateway: tuple[Gateway, Client], upstream: FilesUpstream) -> None:
    _, client = gateway
    mark = upstream.mark()
    status = case.send(client)
    arrived = upstream.since(mark)
    if case.expect == "block":
        assert status == 403, f"{case.bypass}: not blocked (HTTP {status})"
        forwarded = [r for r in arrived if r.target.split("?")[0] not in METADATA_ONLY]
        assert forwarded == [], f"{case.bypass}: reached the upstream"
        for record in arrived:
            assert not any(value.encode() in record.body for value in case.values)
    else:
        assert status == 200, f"{case.bypass}: clean control blocked (HTTP {status})"
        assert any(case.marker.encode() in r.body for r in arrived), "control did not arrive"


def reasons(gateway: Gateway) -> list[str]:
    with sqlite3.connect(gateway.db) as conn:
        return [r for (r,) in conn.execute("select reasons from decisions order by id")]


def test_the_log_records_why_a_file_was_unreadable(gateway: tuple[Gateway, Client]) -> None:
    running, _ = gateway
    recorded = " ".join(reasons(running))
    for why in ("too_many_members", "encrypted", "too_many_pages", "part_of_file"):
        assert f"unreadable_file:{why}:block" in recorded


def test_no_value_in_the_database(gateway: tuple[Gateway, Client]) -> None:
    running, _ = gateway
    for suffix in ("", "-wal"):
        path = running.db.with_name(running.db.name + suffix)
        if path.exists():
            data = path.read_bytes()
            assert IBAN.encode() not in data and EMAIL.encode() not in data


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("nullen.zip", lambda: oversize_member(200 * 1024 * 1024)),
        ("bewerbung.docx", lambda: zip_bomb_docx(200 * 1024 * 1024)),
    ],
)
def test_a_bomb_leaves_the_gateway_responsive(
    gateway: tuple[Gateway, Client], name: str, build: object
) -> None:
    """200 MB of zeros in ~200 KB: refused before inflating; the next prompt is answered
    at once (generous bounds: this machine is shared)."""
    _, client = gateway
    data = build()  # type: ignore[operator]
    started = time.monotonic()
    assert openai_file(name, lambda: data)(client) == 403
    refused = time.monotonic() - started
    started = time.monotonic()
    chat = client.openai().chat.completions.create
    messages = [{"role": "user", "content": "Hallo"}]
    assert sdk_status(lambda: chat(model="gpt-4o", messages=messages)) == 200
    assert refused < 30 and time.monotonic() - started < 30


@pytest.mark.parametrize("place", sorted(PLACES))
def test_the_same_file_without_the_value_passes(
    place: str, gateway: tuple[Gateway, Client], upstream: FilesUpstream
) -> None:
    """The place cases are blocked for the value, not for the file: without it, each
    passes (images too: `unscanned_files: log`)."""
    _, client = gateway
    name, build = PLACES[place]
    mark = upstream.mark()
    assert openai_file(name, lambda: build("Nichts Besonderes hier"))(client) == 200
    assert len(upstream.since(mark)) == 1
