"""Shared by the extractor tests: sample values, request builders, the wire fixtures."""

import json
import re
from pathlib import Path
from typing import Any

from extract.model import Api, Prompt
from extract.registry import extract, match_endpoint

IBAN = "DE89 3704 0044 0532 0130 00"
PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
WIRE = Path(__file__).parent / "fixtures" / "wire"
SECRET = "GEHEIM-4711"  # must never show in an error message
PDF_TEXT = f"Kontoinhaber Erika Mustermann IBAN {IBAN}"  # the text of the sample PDFs


def run(api: Api, body: dict[str, Any]) -> Prompt:
    return extract(api, json.dumps(body).encode())


def pairs(prompt: Prompt) -> list[tuple[str, str]]:
    """The extractor's own parts (what the residual walker adds: residual_pairs)."""
    return [(p.location, p.text) for p in prompt.parts[prompt.residual :]]


def wire_fixture(name: str) -> bytes:
    body = (WIRE / name).read_bytes()
    if name.endswith(".multipart"):  # a checkout may have rewritten the CRLF line ends
        body = re.sub(rb"\r?\n", b"\r\n", body)
    return body


# (fixture, family, path, content type, api, stream, model, parts, unscanned)
WireCase = tuple[str, str, str, str, Api, bool, str | None, list[tuple[str, str]], tuple[str, ...]]


def extract_wire_case(
    name: str,
    family: str,
    path: str,
    content_type: str,
    api: Api,
    stream: bool,
    model: str | None,
    expected: list[tuple[str, str]],
    unscanned: tuple[str, ...],
) -> Prompt:
    """The wire fixture `name`, POSTed to `path` of `family`: asserts the route picks
    `api` and the extractor yields exactly `expected` (its own parts), `unscanned`,
    `stream` and `model`; the prompt, for more asserts."""
    assert match_endpoint(family, "POST", path) == api
    prompt = extract(api, wire_fixture(name), content_type)
    assert prompt.api == api
    assert pairs(prompt) == expected
    assert prompt.unscanned == unscanned
    assert (prompt.stream, prompt.model) == (stream, model)
    return prompt


def residual_pairs(prompt: Prompt) -> list[tuple[str, str]]:
    return [(p.location, p.text) for p in prompt.parts[: prompt.residual]]


UUID = "5f1c2d3e-aaaa-4bbb-8ccc-123456789abc"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\xff\xd8"
BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(*parts: tuple[str, bytes], close: bool = True) -> bytes:
    """A multipart body as browsers send it: (headers, content) per part."""
    body = b"".join(
        f"--{BOUNDARY}\r\n{headers}\r\n\r\n".encode() + content + b"\r\n"
        for headers, content in parts
    )
    return body + (f"--{BOUNDARY}--\r\n".encode() if close else b"")


def field(name: str) -> str:
    return f'Content-Disposition: form-data; name="{name}"'


def upload(name: str, filename: str, content_type: str) -> str:
    disposition = f'Content-Disposition: form-data; name="{name}"; filename="{filename}"'
    return f"{disposition}\r\nContent-Type: {content_type}"
