"""Mistral Le Chat: the chat stream of POST /api/chat and tRPC errors for /api/trpc/….

/api/chat (`mode: create|append`) answers with numbered lines `N:{"json": …}`
(superjson); a `{"json": {"type": "message", "patches": […]}}` line patches the
assistant message, and `replace /contentChunks` with text chunks sets its text (the
reader foxroute ports: later `append /contentChunks/<i>/text` patches extend a chunk).

tRPC calls (/api/trpc/<procedure>[,<procedure>…][?batch=1]) have no answer text of their
own; a refused call gets tRPC's error shape, which the client raises as a
TRPCClientError with the message: `{"error": {"json": {"message", "code", "data"}}}`
(superjson wraps it in "json"), one per call in a JSON array when batched.
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

from answers.encoding import ERROR_STATUS, Response, json_response, json_text, stream

# tRPC's JSON-RPC code for FORBIDDEN (trpc.io, "Error Handling" / TRPC_ERROR_CODES_BY_KEY).
_FORBIDDEN = -32003


def chat_stream(message: str) -> Response:
    message_id = str(uuid.uuid4())
    chunks = [{"type": "text", "text": message}]
    lines = [
        {"json": {"type": "message", "messageId": message_id, "patches": []}},
        {
            "json": {
                "type": "message",
                "messageId": message_id,
                "patches": [{"op": "replace", "path": "/contentChunks", "value": chunks}],
            }
        },
    ]
    return stream(
        "text/plain; charset=utf-8",
        [f"{number}:{json_text(line)}\n" for number, line in enumerate(lines)],
    )


def trpc_error(path: str, message: str) -> Response:
    """The refusal of every call of a tRPC request (batched when the URL says so)."""
    url = urlsplit(path)
    procedures = url.path.rstrip("/").rsplit("/", 1)[-1].split(",")
    batched = parse_qs(url.query).get("batch") == ["1"]

    def entry(procedure: str) -> dict[str, object]:
        payload = {
            "message": message,
            "code": _FORBIDDEN,
            "data": {"code": "FORBIDDEN", "httpStatus": ERROR_STATUS, "path": procedure},
        }
        return {"error": {"json": payload}}

    body: object = [entry(p) for p in procedures] if batched else entry(procedures[0])
    return json_response(ERROR_STATUS, body, {})
