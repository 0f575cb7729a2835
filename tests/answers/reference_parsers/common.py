"""Line and SSE splitting as the reference clients do it (bytes in, text out)."""

from __future__ import annotations

import json
from typing import Any

from tests.answers.reference_parsers import Unreadable

Answer = tuple[int, dict[str, str], bytes]


def lines(body: bytes) -> list[str]:
    """Lines split at \\n (a trailing \\r dropped), as iter_lines() gives them."""
    return [line.rstrip("\r") for line in body.decode("utf-8").split("\n")]


def data_lines(body: bytes) -> list[str]:
    """The payload of every `data:` line (one JSON document per line)."""
    return [line[5:].strip() for line in lines(body) if line.startswith("data:")]


def sse_events(body: bytes) -> list[tuple[str | None, str]]:
    """(event name, data) per SSE event: data lines joined by \\n, blank line ends it."""
    events: list[tuple[str | None, str]] = []
    name: str | None = None
    data: list[str] = []
    for line in [*lines(body), ""]:
        if not line:
            if data:
                events.append((name, "\n".join(data)))
            name, data = None, []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
    return events


def ok(answer: Answer) -> bytes:
    """The body of a successful answer; clients raise on an error status first."""
    status, _, body = answer
    if not 200 <= status < 300:
        raise Unreadable(f"HTTP {status}")
    return body


def json_object(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise Unreadable("not a JSON object")
    return value


def foxroute_events(body: bytes) -> list[dict[str, Any]]:
    """Foxic05/foxroute providers/_http.py sse_events: `data:` lines and bare JSON lines,
    objects only, garbage skipped, `[DONE]` ends."""
    events: list[dict[str, Any]] = []
    for raw in lines(body):
        line = raw.strip()
        if line.startswith("data:"):
            chunk = line[5:].strip()
        elif line.startswith("{"):
            chunk = line
        else:
            continue
        if not chunk:
            continue
        if chunk == "[DONE]":
            break
        try:
            event = json.loads(chunk)
        except ValueError:
            continue
        if isinstance(event, dict):
            events.append(event)
    return events


class Accumulated:
    """foxroute's Accumulated: whole-text snapshots into deltas (a snapshot that does not
    extend the text so far starts over and is given whole)."""

    def __init__(self) -> None:
        self.seen = ""
        self.out = ""

    def feed(self, whole: str) -> None:
        if not whole:
            return
        delta = whole[len(self.seen) :] if whole.startswith(self.seen) else whole
        self.seen = whole
        self.out += delta
