"""Bytes on the wire for the gateway's own answers: JSON text, error bodies, SSE frames.

Shared by answers/responders.py (provider APIs) and the web apps' answers
(answers/web/), so that every answer escapes the same way.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from typing import Any

Response = tuple[int, dict[str, str], bytes]

# 403 maps to PermissionDeniedError in both SDKs and is not retried by them
# (unlike 408/409/429/5xx); x-should-retry makes that explicit for any client.
ERROR_STATUS = 403


def json_text(obj: object) -> str:
    """Compact JSON on one line.

    ensure_ascii=False keeps umlauts readable on the wire; the Unicode line separators
    it would leave raw are escaped so that no line-splitting reader (SSE, NDJSON,
    numbered lines) breaks a frame.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")


def new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(12)


def json_response(status: int, payload: object, extra_headers: dict[str, str]) -> Response:
    headers = {"content-type": "application/json; charset=utf-8", "x-should-retry": "false"}
    return status, headers | extra_headers, json_text(payload).encode("utf-8")


def error(payload: dict[str, Any], extra_headers: dict[str, str]) -> Response:
    """A JSON error body with the gateway's error status (403)."""
    return json_response(ERROR_STATUS, payload, extra_headers)


def stream(content_type: str, frames: Iterable[str]) -> Response:
    """A complete streamed answer (status 200), never cached."""
    headers = {"content-type": content_type, "cache-control": "no-cache"}
    return 200, headers, "".join(frames).encode("utf-8")


def sse(frames: Iterable[str]) -> Response:
    return stream("text/event-stream; charset=utf-8", frames)


def event(name: str, data: object) -> str:
    """One named SSE event with a JSON data line."""
    return f"event: {name}\ndata: {json_text(data)}\n\n"


def data(obj: object) -> str:
    """One unnamed SSE event with a JSON data line."""
    return f"data: {json_text(obj)}\n\n"
