"""Perplexity: the answer stream of POST /rest/sse/perplexity_ask (SSE).

Each `event: message` carries the thread state with `blocks`; the answer text lives in
the block whose `intended_usage` is "ask_text". In flight the block carries a
`diff_block` for the field "markdown_block" whose patches set or extend it (gpt4free
reads the patches' value, taking `chunks` joined); the final message carries the whole
`markdown_block` with `chunks` and `answer` (perplexity-cli reads the chunks,
foxroute the answer) and `final_sse_message: true`. `event: end_of_stream` ends it.
"""

from __future__ import annotations

import uuid
from typing import Any

from answers.encoding import Response, event, sse


def ask_stream(model: str | None, message: str) -> Response:
    ids = {
        "backend_uuid": str(uuid.uuid4()),
        "context_uuid": str(uuid.uuid4()),
        "uuid": str(uuid.uuid4()),
        "frontend_context_uuid": str(uuid.uuid4()),
    }
    markdown = {"progress": "DONE", "chunks": [message], "chunk_starting_offset": 0}

    def state(status: str, final: bool, block: dict[str, Any]) -> dict[str, Any]:
        return {
            **ids,
            "display_model": model or "turbo",
            "mode": "COPILOT",
            "thread_url_slug": None,
            "status": status,
            "text_completed": final,
            "blocks": [{"intended_usage": "ask_text", **block}],
            "final_sse_message": final,
            "attachments": [],
        }

    patch = {"op": "replace", "path": "", "value": markdown}
    in_flight = {"diff_block": {"field": "markdown_block", "patches": [patch]}}
    final = {"markdown_block": markdown | {"answer": message}}
    return sse(
        [
            event("message", state("PENDING", False, in_flight)),
            event("message", state("COMPLETED", True, final)),
            event("end_of_stream", {}),
        ]
    )
