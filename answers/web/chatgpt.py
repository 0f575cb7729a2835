"""ChatGPT: the conversation stream (POST /backend-api/conversation, SSE), in the
encoding the client asked for.

Without `supported_encodings` the app streams full-message frames: each `data:` frame
holds the whole assistant message so far ({"message": …, "conversation_id": …}).
Clients that list "v1" in `supported_encodings` (the web app, gpt4free's OpenaiChat)
get `event: delta_encoding` / `data: "v1"` first and then JSON-patch deltas: one "add"
of the message at the root, "append" to /message/content/parts/0, a final "patch" list
that finishes it — and read nothing from full-message frames. Both end with
{"type": "message_stream_complete"} and `data: [DONE]`.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from answers.encoding import Response, data, event, sse

V1 = "v1"


def conversation_stream(model: str, message: str, encoding: str | None) -> Response:
    conversation_id, message_id = str(uuid.uuid4()), str(uuid.uuid4())
    if encoding == V1:
        frames = _v1_frames(model, message, conversation_id, message_id)
    else:
        frames = _full_frames(model, message, conversation_id, message_id)
    complete = {"type": "message_stream_complete", "conversation_id": conversation_id}
    return sse([*frames, data(complete), "data: [DONE]\n\n"])


def _message(model: str, message_id: str, parts: list[str], *, done: bool) -> dict[str, Any]:
    return {
        "id": message_id,
        "author": {"role": "assistant", "name": None, "metadata": {}},
        "create_time": time.time(),
        "update_time": None,
        "content": {"content_type": "text", "parts": parts},
        "status": "finished_successfully" if done else "in_progress",
        "end_turn": True if done else None,
        "weight": 1.0,
        "metadata": {
            "model_slug": model,
            "default_model_slug": model,
            "finish_details": {"type": "stop", "stop_tokens": []} if done else None,
            "is_complete": True if done else None,
        },
        "recipient": "all",
        "channel": None,
    }


def _full_frames(model: str, message: str, conversation_id: str, message_id: str) -> list[str]:
    def frame(parts: list[str], done: bool) -> str:
        body = {
            "message": _message(model, message_id, parts, done=done),
            "conversation_id": conversation_id,
            "error": None,
        }
        return data(body)

    return [frame([""], False), frame([message], True)]


def _v1_frames(model: str, message: str, conversation_id: str, message_id: str) -> list[str]:
    start = {
        "message": _message(model, message_id, [""], done=False),
        "conversation_id": conversation_id,
        "error": None,
    }
    finish = [
        {"p": "/message/status", "o": "replace", "v": "finished_successfully"},
        {"p": "/message/end_turn", "o": "replace", "v": True},
        {
            "p": "/message/metadata",
            "o": "append",
            "v": {"is_complete": True, "finish_details": {"type": "stop", "stop_tokens": []}},
        },
    ]
    return [
        'event: delta_encoding\ndata: "v1"\n\n',
        event("delta", {"p": "", "o": "add", "v": start, "c": 0}),
        event("delta", {"p": "/message/content/parts/0", "o": "append", "v": message}),
        event("delta", {"p": "", "o": "patch", "v": finish}),
    ]
