"""DeepSeek: the answer stream of POST /api/v0/chat/completion and …/chat/edit_message.

SSE with JSON-patch-like operations {"p": path, "o": op, "v": value}: `event: ready`
names the message ids, a first `data:` frame puts the whole response object ({"v":
{"response": …}}), later frames append to a path or set the status, `event: close`
ends the stream. The answer text is in the response's fragments (gpt4free reads
`response.fragments[].content`) and, for clients of the earlier layout, in
`response.content` (foxroute reads that); both carry the message once, and no
separate append follows that either reader would add twice. Then
`response/status` is set to FINISHED, which both readers take as the end.
"""

from __future__ import annotations

import time

from answers.encoding import Response, data, event, sse

# Message ids are small integers per chat session; the answer is the turn after the
# (blocked) prompt.
_REQUEST_ID, _RESPONSE_ID = 1, 2


def completion_stream(message: str) -> Response:
    response = {
        "message_id": _RESPONSE_ID,
        "parent_id": _REQUEST_ID,
        "model": "",
        "role": "ASSISTANT",
        "thinking_enabled": False,
        "ban_edit": False,
        "ban_regenerate": False,
        "status": "WIP",
        "accumulated_token_usage": 0,
        "files": [],
        "tips": [],
        "inserted_at": time.time(),
        "search_enabled": False,
        "search_status": None,
        "search_results": None,
        "content": message,
        "fragments": [{"id": 1, "type": "RESPONSE", "content": message, "references": []}],
    }
    ids = {"request_message_id": _REQUEST_ID, "response_message_id": _RESPONSE_ID}
    return sse(
        [
            event("ready", ids),
            data({"v": {"response": response}}),
            data({"p": "response/status", "o": "SET", "v": "FINISHED"}),
            event("close", {"click_behavior": "none", "auto_resume": False}),
        ]
    )
