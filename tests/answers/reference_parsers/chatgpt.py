"""ChatGPT's conversation stream, as two reference clients read it.

- xtekky/gpt4free g4f/Provider/needs_auth/OpenaiChat.py (iter_messages_line; it asks
  for `supported_encodings: ["v1"]`): `data: ` lines as JSON objects; the last `p` is
  remembered; a string `v` is text when the line has no `p` or p is
  /message/content/parts/0 (and the recipient is "all"); a list `v` is a patch whose
  /message/content/parts/0 values are text and whose /message/metadata ends it; a dict
  `v` is the message (sets the recipient). Full-message frames ({"message": …}) carry
  no `v` and give nothing. An `error` field fails.
- Foxic05/foxroute providers/web/chatgpt.py (sends no supported_encodings): every
  event's `message` whose author is the assistant; its parts joined are the whole text
  so far.
"""

from __future__ import annotations

import json

from tests.answers.reference_parsers import Unreadable
from tests.answers.reference_parsers.common import Accumulated, Answer, foxroute_events, lines, ok

PARTS = "/message/content/parts/0"


def gpt4free(answer: Answer) -> str:
    out: list[str] = []
    path: str | None = None
    recipient = "all"
    for line in lines(ok(answer)):
        if not line.startswith("data: ") or line.startswith("data: [DONE]"):
            continue
        try:
            data = json.loads(line[6:])
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        path = data.get("p", path)
        if path is not None and path.startswith("/message/content/thoughts"):
            continue
        if "v" in data:
            value = data["v"]
            if isinstance(value, str) and recipient == "all":
                if "p" not in data or data.get("p") == PARTS:
                    out.append(value)
            elif isinstance(value, list):
                for op in value:
                    if op.get("p") == PARTS and recipient == "all":
                        out.append(op.get("v"))
                    elif op.get("p") == "/message/metadata" and recipient == "all":
                        break
            elif isinstance(value, dict):
                recipient = value.get("message", {}).get("recipient", recipient)
            continue
        if data.get("error"):
            raise Unreadable(str(data["error"]))
    if not out:
        raise Unreadable("no answer text")
    return "".join(out)


def foxroute(answer: Answer) -> str:
    grown = Accumulated()
    for event in foxroute_events(ok(answer)):
        message = event.get("message") or {}
        if (message.get("author") or {}).get("role") != "assistant":
            continue
        parts = (message.get("content") or {}).get("parts") or []
        grown.feed("".join(str(part) for part in parts))
    if not grown.out:
        raise Unreadable("empty answer")
    return grown.out
