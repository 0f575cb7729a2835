"""The Guard end to end on bad requests: every one ends in a decision row.

Through the real Guard (mitmproxy's test context, the real checker in-process with
leitplanke_workers=0): damaged and random bodies, wrong or lying Content-Encoding, a
compression bomb, chunked framing, empty bodies, duplicate headers. Each request must
leave exactly one decisions row whose action and enforced action are among allow, log,
warn, redact, block, with reasons; a body that could not be read names why in `error`
(oversize, undecodable_body, unparsed_body: <what is wrong>). A checker error would be a
defined outcome too (the fail mode), but is not expected on these inputs and fails here.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import brotli
import pytest
import zstandard
from hypothesis import example, given
from hypothesis import strategies as st

from extract.body_decode import BodyTooLarge, read_body
from extract.model import ExtractError
from extract.registry import extract, match_endpoint
from tests.fuzz.support import (
    FIXTURES,
    budget,
    chunked,
    content_types,
    dump,
    fixture_body,
    json_values,
    mutated_bytes,
    tick,
)
from tests.fuzz.test_body_decode_fuzz import gzip_bomb
from tests.proxy_addon.test_guard import Harness, flow_for, running_guard

ACTIONS = {"allow", "log", "warn", "redact", "block"}
HOSTS = {
    "openai": "api.openai.com",
    "ollama": "api.openai.com",
    "anthropic": "api.anthropic.com",
    "gemini": "generativelanguage.googleapis.com",
    "chatgpt-web": "chatgpt.com",
    "claude-web": "claude.ai",
    "gemini-web": "gemini.google.com",
    "perplexity-web": "www.perplexity.ai",
    "deepseek-web": "chat.deepseek.com",
    "lechat-web": "chat.mistral.ai",
    "poe-graphql": "poe.com",
    "huggingchat": "huggingface.co",
    "copilot-ws": "substrate.office.com",
}


@dataclass
class Request:
    family: str
    host: str
    method: str
    path: str
    raw: bytes
    headers: list[tuple[str, str]]

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name]
        return ", ".join(values) if values else None  # as mitmproxy folds them


def _encode(body: bytes, coding: str) -> bytes:
    if coding == "gzip":
        return gzip.compress(body, 1)
    if coding == "deflate":
        return zlib.compress(body, 1)
    if coding == "br":
        return brotli.compress(body, quality=1)
    return zstandard.ZstdCompressor(level=1).compress(body)


@st.composite
def requests(draw: st.DrawFn) -> Request:
    name = draw(st.sampled_from(sorted(FIXTURES)))
    _, family, path, content_type = FIXTURES[name]
    host = HOSTS[family]
    if draw(st.integers(0, 6)) == 0:  # a service without a dedicated extractor
        family, host, path = "generic", "grok.com", "/rest/app-chat/conversations/new"
    original = fixture_body(name)
    body = draw(
        st.one_of(
            st.just(original),
            mutated_bytes(original),
            json_values(10).map(lambda v: dump(v, False)),
            st.binary(max_size=200),
            st.just(b""),
        )
    )
    headers: list[tuple[str, str]] = []
    for _ in range(draw(st.integers(0, 2)) if draw(st.booleans()) else 1):
        headers.append(
            ("content-type", draw(st.one_of(st.just(content_type), content_types)) or content_type)
        )
    how = draw(
        st.sampled_from(
            [
                "plain",
                "plain",
                "gzip",
                "br",
                "zstd",
                "deflate",
                "gzip, br",
                "lie",
                "unknown",
                "bomb",
                "chunked",
            ]
        )
    )
    raw = body
    if how in ("gzip", "br", "zstd", "deflate"):
        raw = _encode(body, how)
        headers.append(("content-encoding", how))
        if draw(st.integers(0, 3)) == 0:
            raw = raw[: draw(st.integers(0, len(raw)))]  # truncated stream
    elif how == "gzip, br":  # two headers, folded into one list
        raw = _encode(_encode(body, "gzip"), "br")
        headers += [("content-encoding", "gzip"), ("content-encoding", "br")]
    elif how == "lie":
        headers.append(("content-encoding", draw(st.sampled_from(["gzip", "br", "zstd"]))))
    elif how == "unknown":
        headers.append(("content-encoding", draw(st.sampled_from(["compress", "xz", "gzip, x"]))))
    elif how == "bomb":
        raw = gzip_bomb()
        headers.append(("content-encoding", "gzip"))
    elif how == "chunked":  # framing left in the body, the header says so
        raw = chunked(body, draw(st.lists(st.integers(1, 100), max_size=4)))
        headers.append(("transfer-encoding", "chunked"))
    if draw(st.booleans()):  # duplicate and stray headers
        headers.append(
            draw(
                st.sampled_from(
                    [
                        ("accept-language", "de"),
                        ("x-dup", "1"),
                        ("content-length", "0"),
                        ("host", "evil.example"),
                    ]
                )
            )
        )
        headers.append(headers[draw(st.integers(0, len(headers) - 1))])
    method = draw(st.sampled_from(["POST", "POST", "POST", "PUT", "PATCH"]))
    return Request(family, host, method, path, raw, headers)


@pytest.fixture(scope="module")
def guard(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[asyncio.AbstractEventLoop, Harness]]:
    """One Guard (and one warm checker) for every example, on a loop of its own."""
    loop = asyncio.new_event_loop()
    folder: Path = tmp_path_factory.mktemp("guard-fuzz")
    context = running_guard(folder)
    harness = loop.run_until_complete(_enter(context))
    yield loop, harness
    context.__exit__(None, None, None)
    loop.close()


async def _enter(context: object) -> Harness:
    return context.__enter__()  # type: ignore[attr-defined]  # the Guard wants a running loop


def expected_error(harness: Harness, request: Request, api: str) -> str | None:
    """What `error` the row must carry, worked out without the Guard."""
    assert harness.source.active is not None
    limit = harness.source.active.loaded.policy.max_body_bytes
    if len(request.raw) > limit:
        return "oversize"
    try:
        body = read_body(request.raw, request.header("content-encoding"), limit).data
    except BodyTooLarge:
        return "oversize"
    except ValueError:
        return "undecodable_body"
    try:
        extract(api, body, request.header("content-type"))  # type: ignore[arg-type]
    except ExtractError:
        return "unparsed_body"
    return None


@budget(0.4)  # ~0.1 s a case: the real checker scans every prompt
@given(request=requests())
@example(
    request=Request(
        "openai",
        "api.openai.com",
        "POST",
        "/v1/chat/completions",
        gzip_bomb(),
        [("content-encoding", "gzip")],
    )
)
@example(
    request=Request(
        "anthropic",
        "api.anthropic.com",
        "POST",
        "/v1/messages",
        b"",
        [("content-type", "application/json")] * 2,
    )
)
def test_every_request_ends_in_a_decision(
    guard: tuple[asyncio.AbstractEventLoop, Harness], request: Request
) -> None:
    tick()
    loop, harness = guard
    flow = flow_for(request.host, request.path, b"", method=request.method)
    del flow.request.headers["content-type"]
    for name, value in request.headers:
        flow.request.headers.add(name, value)
    flow.request.raw_content = request.raw
    api = match_endpoint(request.family, request.method, request.path)
    assert api is not None
    expected = expected_error(harness, request, api)
    (before,) = harness.rows("select count(*) from decisions")[0]
    loop.run_until_complete(harness.send(flow))
    rows = harness.rows(
        "select action, enforced, reasons, error, api from decisions order by id desc limit 1"
    )
    assert harness.rows("select count(*) from decisions")[0][0] == before + 1
    action, enforced, reasons, error, row_api = rows[0]
    assert action in ACTIONS and (enforced or action) in ACTIONS
    assert row_api == api
    assert json.loads(reasons), "a decision without a reason"
    if expected is None:
        assert error is None, error
    elif expected == "unparsed_body":
        assert error.startswith("unparsed_body: ") and len(error) > len("unparsed_body: ")
    else:
        assert error == expected and json.loads(reasons)[0] == expected
