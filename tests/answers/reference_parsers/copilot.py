"""Copilot's WebSocket answers and M365 Copilot's upload, as the references read them.

- xtekky/gpt4free g4f/Provider/Copilot.py: JSON text frames; `appendText` and
  `replaceText` carry text, `done` finishes, `error` fails; an answer without `done`
  fails ("Invalid response").
- Azure/PyRIT pyrit/prompt_target/websocket_copilot_target.py (M365, SignalR): frames
  split at the record separator 0x1E; type 2 (final content) carries the bot text at
  item.result.message, type 3 ends the stream. The upload (/m365Copilot/UploadFile)
  must answer 200 with a `docId`, else the upload fails with the response's text.
"""

from __future__ import annotations

import json

from tests.answers.reference_parsers import Unreadable
from tests.answers.reference_parsers.common import Answer

RS = "\x1e"


def gpt4free(frames: list[str]) -> str:
    text, done = [], False
    for frame in frames:
        message = json.loads(frame)
        event = message.get("event")
        if event in ("appendText", "replaceText"):
            text.append(message.get("text"))
        elif event == "done":
            done = True
        elif event == "error":
            raise Unreadable(f"Error: {message}")
    if not done:
        raise Unreadable("Invalid response")
    return "".join(text)


def pyrit(frames: list[str]) -> str:
    final, ended = None, False
    for frame in frames:
        for record in frame.split(RS):
            if not record.strip():
                continue
            data = json.loads(record)
            if data.get("type") == 2:
                final = data.get("item", {}).get("result", {}).get("message", "")
            elif data.get("type") == 3:
                ended = True
    if not final or not ended:
        raise Unreadable("EmptyResponseException")
    return final


def pyrit_upload(answer: Answer) -> str:
    """The docId of an accepted upload; Unreadable with the response text otherwise."""
    status, _, body = answer
    if status != 200:
        raise Unreadable(f"Failed to upload image. Status: {status}, Response: {body.decode()}")
    doc_id = json.loads(body).get("docId")
    if not doc_id:
        raise Unreadable("No docId in upload response")
    return str(doc_id)
