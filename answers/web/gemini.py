"""Gemini (web): the StreamGenerate answer (`…/BardFrontendService/StreamGenerate`).

Google's batchexecute stream: the XSSI guard `)]}'`, then chunks, each a length and a
newline followed by one JSON array on its own line. The length counts UTF-16 code units
from the newline after the number through the newline after the array (gpt4free's
`parse_google_frames` reads it so; its line reader takes each array line alone). The
answer chunk is `[["wrb.fr", null, "<JSON string>"]]` whose inner array holds the
conversation ids at [1] and the candidates at [4]; a candidate is [id, [text], …] and
the client shows the last text of the candidates. Status chunks (`di`, `af.httprm`,
`e`) close the stream as the service closes it.
"""

from __future__ import annotations

import secrets

from answers.encoding import Response, json_text, stream

XSSI = ")]}'"


def stream_generate(message: str) -> Response:
    conversation = ["c_" + secrets.token_hex(8), "r_" + secrets.token_hex(8)]
    candidate = ["rc_" + secrets.token_hex(8), [message]]
    inner = [None, conversation, None, None, [candidate]]
    chunks = [
        [["wrb.fr", None, json_text(inner)]],
        [["di", 1], ["af.httprm", 1, str(secrets.randbelow(10**18)), 1]],
    ]
    body = [_chunk(chunk) for chunk in chunks]
    total = sum(len(part) for part in body)
    body.append(_chunk([["e", 4, None, None, total]]))
    # The service sends this stream as application/json with the XSSI guard in front.
    return stream("application/json; charset=utf-8", [XSSI, "\n\n", *body])


def _chunk(value: object) -> str:
    payload = "\n" + json_text(value) + "\n"
    return f"{utf16_length(payload)}{payload}"


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, as JavaScript counts it (emoji count twice)."""
    return len(text.encode("utf-16-le")) // 2
