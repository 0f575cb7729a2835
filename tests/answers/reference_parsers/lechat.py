"""Mistral Le Chat: the /api/chat stream as Foxic05/foxroute reads it
(providers/web/mistral.py), and tRPC calls as the tRPC client reads an error.

- foxroute: lines `^\\d+:(\\{.*)$` as JSON objects; a frame with `message` and `httpCode`
  is an error; `json.type == "message"` frames carry `patches`: `replace
  /contentChunks` sets the text chunks by index, `append /contentChunks/<i>/text`
  extends chunk i; the text is the chunks joined in index order, as deltas.
- tRPC (trpc.io, "Error Handling"; superjson wraps payloads in "json"): a batched
  answer is a JSON array with one entry per call, else one entry; an entry with
  `error` raises TRPCClientError with `error.json.message`; one with `result` is data.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.answers.reference_parsers import Unreadable
from tests.answers.reference_parsers.common import Accumulated, Answer, lines, ok

_FRAME = re.compile(r"^\d+:(\{.*)$")
_APPEND_PATH = re.compile(r"/contentChunks/(\d+)/text")


def foxroute_chat(answer: Answer) -> str:
    chunks: dict[int, str] = {}
    grown = Accumulated()
    for raw in lines(ok(answer)):
        match = _FRAME.match(raw.strip())
        if not match:
            continue
        try:
            frame = json.loads(match.group(1))
        except ValueError:
            continue
        if not isinstance(frame, dict):
            continue
        if "message" in frame and "httpCode" in frame:
            raise Unreadable(f"error frame: {frame['message']}")
        body = frame.get("json") or {}
        if body.get("type") != "message":
            continue
        for patch in body.get("patches") or []:
            op, path, value = patch.get("op"), patch.get("path", ""), patch.get("value")
            if op == "replace" and path == "/contentChunks" and isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, dict) and item.get("type") == "text":
                        chunks[index] = item.get("text", "")
            elif op == "append":
                found = _APPEND_PATH.match(path)
                if found and isinstance(value, str):
                    index = int(found.group(1))
                    chunks[index] = chunks.get(index, "") + value
        grown.feed("".join(chunks[key] for key in sorted(chunks)))
    if not grown.out:
        raise Unreadable("empty answer")
    return grown.out


def trpc_errors(answer: Answer, *, calls: int | None) -> list[str]:
    """The TRPCClientError message of every call (`calls`: the batch size, None when the
    request was not batched); Unreadable when an entry is no tRPC error."""
    _, _, body = answer
    data: Any = json.loads(body)
    entries = data if calls is not None else [data]
    if calls is not None and (not isinstance(data, list) or len(data) != calls):
        raise Unreadable("batch answer does not match the calls")
    messages = []
    for entry in entries:
        error = entry.get("error") if isinstance(entry, dict) else None
        payload = error.get("json") if isinstance(error, dict) else None
        if not isinstance(payload, dict) or not isinstance(payload.get("message"), str):
            raise Unreadable("no tRPC error")
        if not isinstance(payload.get("code"), int) or "code" not in payload.get("data", {}):
            raise Unreadable("tRPC error without codes")
        messages.append(payload["message"])
    return messages
