"""Microsoft 365 Copilot: a refused file upload (POST substrate.office.com/m365Copilot/
UploadFile, the form whose FileBase64 field holds the file as a data URL).

The web client expects JSON with the uploaded file's `docId` (PyRIT's
WebSocketCopilotTarget reads it so) and treats anything else as a failed upload. The
refusal is JSON without a docId, carrying the policy message both as `message` and in
an `error` object; the chat itself is answered on its WebSocket (answers/copilot_ws.py).
"""

from __future__ import annotations

from answers.encoding import Response, error


def upload_refusal(message: str) -> Response:
    return error({"message": message, "error": {"code": "Forbidden", "message": message}}, {})
