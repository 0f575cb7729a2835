"""Claude (web), as Foxic05/foxroute reads the completion stream
(providers/web/claude_web.py _events): SSE events by their `type`;
`content_block_delta` with a `text_delta` is answer text, `thinking_delta` reasoning;
an `error` event fails.
"""

from __future__ import annotations

from tests.answers.reference_parsers import Unreadable
from tests.answers.reference_parsers.common import Answer, foxroute_events, ok


def foxroute(answer: Answer) -> str:
    text = []
    for event in foxroute_events(ok(answer)):
        kind = event.get("type", "")
        if kind == "content_block_delta":
            delta = event.get("delta", {})
            if delta.get("type") == "text_delta":
                text.append(delta.get("text", ""))
        elif kind == "error":
            raise Unreadable(event.get("error", {}).get("message", str(event)))
    if not text:
        raise Unreadable("empty answer")
    return "".join(text)
