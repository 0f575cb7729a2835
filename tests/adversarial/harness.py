"""The adversarial suite's case format, the client the cases send with, and the leak check.

A case module (`tests/adversarial/cases_<topic>.py`) exports `CASES: list[Case]`; the
one runner (test_adversarial.py) sends every case through a real `leitplanke proxy` to a
recording upstream and asserts, per case:
- "block": the client got the gateway's refusal (403, or the provider-shaped error the
  SDK raises) and no request that reached the upstream carries any of the case's values
  — not in the raw bytes, nor after decoding them (decompression, UTF-16/32, JSON and
  percent escapes, the checker's own normalisation, then compared with everything but
  letters and digits removed, so a value sent as an array of characters counts too);
  with `forwarded="none"` (files: the gateway cannot tell a file's harmless parts from
  the rest) nothing of the case may arrive but requests that carry only metadata
  (METADATA_ONLY: an upload's create request);
- "redact": the request was answered (200) and what reached the upstream carries none
  of the values (a gateway whose policy redacts);
- "pass": a clean control reached the upstream (the gateway must not block it).

Cases of one `gateway` name share one gateway (GATEWAYS in test_adversarial.py says how
each is started); keep new cases on "default" unless they need another policy.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import ssl
import subprocess
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote_plus

import brotli
import zstandard

from checker.normalize.pipeline import normalize
from tests.adversarial.recording_upstream import Recorded

try:  # current SDKs are built on httpx2 (a fork of httpx); older ones on httpx
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

# Fictitious values with valid check digits (the IBAN is the standard documentation one).
IBAN = "DE89370400440532013000"
IBAN_SPACED = "DE89 3704 0044 0532 0130 00"
EMAIL = "erika.mustermann@beispiel-firma.de"
CARD = "4111111111111111"
VALUES = (IBAN, EMAIL, CARD)
# Requests of a blocked case that may reach the upstream with forwarded="none": an
# upload's create request (file name, size, type; the name is scanned all the same).
METADATA_ONLY = ("/v1/uploads", "/upload/v1beta/files")


@dataclass
class Client:
    """What a case sends with: the gateway's address and CA, an httpx client through
    it, the official SDKs, curl."""

    proxy_url: str
    ca: Path
    http: httpx.Client
    extra: dict[str, Any] = field(default_factory=dict)

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> int:
        response = self.http.request(method, url, content=body, headers=headers or {})
        if response.headers.get("x-leitplanke-enforced") == "block":
            return 403  # web apps get their block as a 200 in their own stream format
        return response.status_code

    def curl(self, *args: str) -> int:
        """curl through the gateway with its CA; returns the HTTP status."""
        command = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}"]
        result = subprocess.run(
            [*command, "-x", self.proxy_url, "--cacert", str(self.ca), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return int(result.stdout.strip())

    def openai(self) -> Any:
        import openai

        return openai.OpenAI(api_key="sk-test-not-a-key", http_client=self.http, max_retries=0)

    def anthropic(self) -> Any:
        import anthropic

        return anthropic.Anthropic(api_key="test-key", http_client=self.http, max_retries=0)


def sdk_status(call: Callable[[], object]) -> int:
    """The HTTP status an SDK call ended with (200 when it returned)."""
    try:
        call()
    except Exception as exc:  # the SDKs' APIStatusError and friends carry status_code
        status = getattr(exc, "status_code", None)
        if status is None:
            raise
        return int(status)
    return 200


@dataclass(frozen=True)
class Case:
    name: str  # unique over all case modules; the test id
    bypass: str  # the class of bypass it tries, e.g. "fields", "outside-body", "decoding"
    send: Callable[[Client], int]  # sends the request(s); the HTTP status the client saw
    expect: Literal["block", "redact", "pass"] = "block"
    values: tuple[str, ...] = VALUES  # what must never reach the upstream ("block")
    marker: str = ""  # "pass": a string the upstream must have received
    gateway: str = "default"
    # "block": "clean" lets requests without the values arrive (a first message of a
    # split, a clean request before); "none" lets only METADATA_ONLY requests arrive.
    forwarded: Literal["clean", "none"] = "clean"
    xfail: str = ""  # a known gap being worked on elsewhere: why (strict: it must fail)


# --- the leak check -------------------------------------------------------------------


def compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\([\"\\/bfnrt])")
_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        if m.group(1):
            return chr(int(m.group(1), 16))
        return _SIMPLE.get(m.group(2), m.group(2))

    return _ESCAPE.sub(one, text)


def _inflated(data: bytes, depth: int = 0) -> Iterator[bytes]:
    yield data
    if depth >= 3:
        return
    attempts: list[Callable[[bytes], bytes]] = [
        gzip.decompress,
        zlib.decompress,
        lambda d: zlib.decompress(d, -zlib.MAX_WBITS),
        brotli.decompress,
        lambda d: zstandard.ZstdDecompressor().decompressobj().decompress(d),
        lambda d: base64.b64decode(d, validate=True),
    ]
    for attempt in attempts:
        try:
            out = attempt(data)
        except Exception:
            continue
        if out and out != data:
            yield from _inflated(out, depth + 1)


def _texts(data: bytes) -> Iterator[str]:
    for codec in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        text = data.decode(codec, errors="ignore")
        if text:
            yield text


def views(record: Recorded) -> list[str]:
    """Everything the upstream could read in one request, decoded every way we know."""
    texts = [record.target, " ".join(f"{k}: {v}" for k, v in record.headers)]
    for data in _inflated(record.body):
        texts.extend(_texts(data))
    out: list[str] = []
    for text in texts:
        for variant in (text, _unescape(text), unquote_plus(text), unquote_plus(_unescape(text))):
            out.append(variant)
            out.append(normalize(variant).text)
    return out


def leaks(records: list[Recorded], values: tuple[str, ...]) -> list[str]:
    """The values (by position, never printed) some record still carries."""
    wanted = {compact(value): f"value #{i}" for i, value in enumerate(values)}
    found: set[str] = set()
    for record in records:
        for view in views(record):
            flat = compact(view)
            found.update(label for value, label in wanted.items() if value in flat)
    return sorted(found)


def forwarded_content(records: list[Recorded]) -> list[Recorded]:
    """The requests that carry more than an upload's metadata."""
    return [r for r in records if r.target.split("?")[0] not in METADATA_ONLY]


def received(records: list[Recorded], marker: str) -> bool:
    return any(marker in view for record in records for view in views(record))


def verify(ca: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca))


def chat_body(content: str, **extra: Any) -> bytes:
    return json.dumps(
        {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": content}], **extra}
    ).encode()
