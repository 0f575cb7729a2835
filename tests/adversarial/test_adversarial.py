"""The adversarial suite: every case of every `cases_*.py` module through a real
`leitplanke proxy` to a recording upstream (case format and leak check: harness.py).

One gateway per `Case.gateway` name for the whole run, started when its first case
runs; every AI host is mapped to the one recording upstream, so a case may address any
catalog host (api.openai.com, generativelanguage.googleapis.com, chatgpt.com, …).
After the cases: what the default gateway's findings log recorded (reasons, never a
value), and that a bomb leaves it responsive.
"""

from __future__ import annotations

import importlib
import pkgutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import tests.adversarial as package
from bench.proxies import Gateway, start_gateway, stop_gateway
from tests.adversarial.cases_files import EMAIL as FILE_EMAIL
from tests.adversarial.cases_files import openai_file
from tests.adversarial.harness import (
    VALUES,
    Case,
    Client,
    forwarded_content,
    httpx,
    leaks,
    received,
    sdk_status,
    verify,
)
from tests.adversarial.recording_upstream import RecordingUpstream
from tests.extract.file_samples import zip_bomb_docx
from tests.extract.hidden_archives import ARCHIVE_PLACES, oversize_member
from tests.extract.hidden_documents import DOCUMENT_PLACES

pytestmark = pytest.mark.e2e

REDACT_POLICY = """\
version: 1
organization: Muster GmbH
contact: datenschutz@muster.example
data_classes:
  personal: {entities: [IBAN_CODE, EMAIL_ADDRESS, CREDIT_CARD]}
on_violation: {personal: redact}
"""

# How each gateway a case may name is started: extra `leitplanke proxy` arguments,
# given the directory it runs in (for policy files).
GATEWAYS = {
    "default": lambda tmp: [],
    "redact": lambda tmp: ["--policy", str(_write(tmp / "redact.yaml", REDACT_POLICY))],
}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def _cases() -> list[Case]:
    cases: list[Case] = []
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("cases_"):
            cases.extend(importlib.import_module(f"{package.__name__}.{module.name}").CASES)
    names = [case.name for case in cases]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"case names must be unique: {duplicates}"
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def upstream() -> Iterator[RecordingUpstream]:
    server = RecordingUpstream().start()
    yield server
    server.stop()


class Gateways:
    def __init__(self, tmp: pytest.TempPathFactory, upstream: RecordingUpstream) -> None:
        self.tmp, self.upstream = tmp, upstream
        self.running: dict[str, tuple[Gateway, Client]] = {}

    def gateway(self, name: str) -> Gateway:
        self.client(name)
        return self.running[name][0]

    def client(self, name: str) -> Client:
        if name not in self.running:
            tmp = self.tmp.mktemp(f"gateway-{name}")
            # Every https host the cases use goes to the recording upstream (after the
            # openai and anthropic rules start_gateway adds itself).
            catch_all = rf"map_remote=|https://[^/]+|http://127.0.0.1:{self.upstream.port}"
            extra = [*GATEWAYS[name](tmp), "--set", catch_all]
            gateway = start_gateway(tmp, self.upstream, extra)
            http = httpx.Client(proxy=gateway.proxy_url, verify=verify(gateway.ca), timeout=120)
            self.running[name] = (gateway, Client(gateway.proxy_url, gateway.ca, http))
        return self.running[name][1]

    def close(self) -> None:
        for gateway, client in self.running.values():
            client.http.close()
            stop_gateway(gateway)


@pytest.fixture(scope="module")
def gateways(
    tmp_path_factory: pytest.TempPathFactory, upstream: RecordingUpstream
) -> Iterator[Gateways]:
    running = Gateways(tmp_path_factory, upstream)
    yield running
    running.close()


def _param(case: Case) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.name, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_case(case: Case, gateways: Gateways, upstream: RecordingUpstream) -> None:
    client = gateways.client(case.gateway)
    mark = upstream.mark()
    status = case.send(client)
    arrived = upstream.since(mark)
    if case.expect == "block":
        assert status == 403, f"{case.bypass}: not blocked (HTTP {status})"
        assert leaks(arrived, case.values) == [], f"{case.bypass}: reached the upstream"
        if case.forwarded == "none":
            assert forwarded_content(arrived) == [], f"{case.bypass}: reached the upstream"
    elif case.expect == "redact":
        assert status == 200, f"{case.bypass}: redacted request not answered (HTTP {status})"
        assert arrived, f"{case.bypass}: the redacted request did not arrive"
        assert leaks(arrived, case.values) == [], f"{case.bypass}: value reached the upstream"
    else:
        assert status == 200, f"{case.bypass}: clean control blocked (HTTP {status})"
        assert received(arrived, case.marker), f"{case.bypass}: control did not arrive"


# --- after the cases: the default gateway's log and its responsiveness -----------------


def reasons(gateway: Gateway) -> list[str]:
    with sqlite3.connect(gateway.db) as conn:
        return [r for (r,) in conn.execute("select reasons from decisions order by id")]


def test_the_log_records_why_a_file_was_unreadable(gateways: Gateways) -> None:
    recorded = " ".join(reasons(gateways.gateway("default")))
    for why in ("too_many_members", "encrypted", "too_many_pages", "part_of_file"):
        assert f"unreadable_file:{why}:block" in recorded


def test_no_value_in_the_database(gateways: Gateways) -> None:
    running = gateways.gateway("default")
    for suffix in ("", "-wal"):
        path = running.db.with_name(running.db.name + suffix)
        if path.exists():
            data = path.read_bytes()
            for value in {*VALUES, FILE_EMAIL}:
                assert value.encode() not in data


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("nullen.zip", lambda: oversize_member(200 * 1024 * 1024)),
        ("bewerbung.docx", lambda: zip_bomb_docx(200 * 1024 * 1024)),
    ],
)
def test_a_bomb_leaves_the_gateway_responsive(
    gateways: Gateways, name: str, build: Callable[[], bytes]
) -> None:
    """200 MB of zeros in ~200 KB: refused before inflating; the next prompt is answered
    at once (generous bounds: this machine is shared)."""
    client = gateways.client("default")
    data = build()
    started = time.monotonic()
    assert openai_file(name, lambda: data)(client) == 403
    refused = time.monotonic() - started
    started = time.monotonic()
    chat = client.openai().chat.completions.create
    messages = [{"role": "user", "content": "Hallo"}]
    assert sdk_status(lambda: chat(model="gpt-4o", messages=messages)) == 200
    assert refused < 30 and time.monotonic() - started < 30


PLACES = {**DOCUMENT_PLACES, **ARCHIVE_PLACES}


@pytest.mark.parametrize("place", sorted(PLACES))
def test_the_same_file_without_the_value_passes(
    place: str, gateways: Gateways, upstream: RecordingUpstream
) -> None:
    """The file place cases are blocked for the value, not for the file: without it,
    each passes (images too: `unscanned_files: log`)."""
    client = gateways.client("default")
    name, build = PLACES[place]
    mark = upstream.mark()
    assert openai_file(name, lambda: build("Nichts Besonderes hier"))(client) == 200
    assert len(upstream.since(mark)) == 1
