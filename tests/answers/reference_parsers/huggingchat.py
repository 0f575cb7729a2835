"""HuggingChat, as huggingface/chat-ui's own client reads a refused request
(src/lib/utils/messageUpdates.ts fetchMessageUpdates; src/routes/conversation/[id]/
+page.svelte; src/routes/+page.svelte for a new conversation).

A response that is not ok is read as JSON and its `message` thrown; when that fails,
"Request failed with status code <status>: <statusText>". The page shows the error's
message in its error toast — unless it contains "overloaded" or "429", which show
fixed texts. A new conversation shows `json.message`, else a default text. A 2xx
answer is the NDJSON update stream: `stream` tokens, ended by `finalAnswer`.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from tests.answers.reference_parsers import Unreadable
from tests.answers.reference_parsers.common import Answer

TOO_MUCH_TRAFFIC = "Too much traffic, please try again."
RATE_LIMITED = "You are sending too many messages. Try again later."
DEFAULT_ERROR = "Oops, something went wrong."  # src/lib/stores/errors.ts


def shown_for_message(answer: Answer) -> str:
    """What the conversation page shows for the send (toast text, or the streamed answer)."""
    status, _, body = answer
    if 200 <= status < 300:
        return _stream_text(body)
    try:
        message = json.loads(body)["message"]
    except (ValueError, KeyError, TypeError):
        message = f"Request failed with status code {status}: {HTTPStatus(status).phrase}"
    if not isinstance(message, str):
        message = str(message)  # Error(undefined) etc.
    if "overloaded" in message:
        return TOO_MUCH_TRAFFIC
    if "429" in message:
        return RATE_LIMITED
    return message


def shown_for_new_conversation(answer: Answer) -> str:
    status, _, body = answer
    if 200 <= status < 300:
        raise Unreadable("the conversation was created")
    try:
        message = json.loads(body).get("message")
    except (ValueError, AttributeError):
        message = None
    return message or DEFAULT_ERROR


def _stream_text(body: bytes) -> str:
    tokens = []
    for line in body.decode("utf-8").split("\n"):
        try:
            update = json.loads(line)
        except ValueError:
            continue
        if update.get("type") == "stream":
            tokens.append(update.get("token", ""))
        elif update.get("type") == "finalAnswer":
            break
    if not tokens:
        raise Unreadable("no streamed answer")
    return "".join(tokens)
