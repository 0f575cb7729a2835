"""HuggingChat (huggingface/chat-ui): a refused conversation request.

chat-ui's client reads a failed response as JSON and shows its `message` (an error
toast; `fetchMessageUpdates` and the new-conversation call alike), else "Request
failed with status code …". Its fetch sends no Accept header, so this answer is JSON
whatever the request accepts; the shape is what the SvelteKit server's own `error()`
sends.
"""

from __future__ import annotations

from answers.encoding import Response, error


def refusal(message: str) -> Response:
    return error({"message": message}, {})
