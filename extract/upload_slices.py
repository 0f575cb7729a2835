"""Requests that carry a slice of a file uploaded in several requests.

A slice cannot be checked: a PDF's first 64 MB are no PDF, an archive's last part has
no directory, a value may be cut in two. So a request that is known to carry one is
"unreadable" (part_of_file) whatever its bytes look like, and the policy's
`unreadable_files` decides (block by default). The gateway does not reassemble the
parts: they go upstream one by one as they arrive, so by the time the last one came the
others would have reached the vendor; and these protocols exist for files far beyond
the gateway's body limit. The text a slice shows is scanned all the same.

Known protocols:
- OpenAI's Uploads API: POST /v1/uploads/{id}/parts (multipart, the part in `data`);
  the create (metadata, its filename scanned as JSON) and complete (part ids) requests
  carry no file content.
- Google's resumable uploads (Gemini Files API, Vertex, GCS): a request whose
  X-Goog-Upload-Command lacks "finalize" or whose X-Goog-Upload-Offset is not 0.
- Any PUT/POST with a Content-Range that does not cover the whole file (tus, GCS, OneDrive).
- Azure Blob blocks (?comp=block, ?comp=appendblock) and S3 multipart parts
  (?partNumber=…&uploadId=…).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import parse_qs, unquote, urlsplit

from extract.file_text.outcome import PART_OF_FILE
from extract.model import Prompt, Unreadable
from extract.path import BODY

_OPENAI_PART = re.compile(r"/uploads/[^/]+/parts/?$")
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)", re.I)


def is_upload_slice(method: str, path: str, headers: Mapping[str, str]) -> bool:
    """Does this request carry a slice of a file (see the module docstring)?"""
    if method.upper() not in ("POST", "PUT", "PATCH"):
        return False
    url = urlsplit(path)
    route = re.sub(r"/{2,}", "/", unquote(url.path))
    if _OPENAI_PART.search(route):
        return True
    command = headers.get("x-goog-upload-command", "").lower()
    if "upload" in command:
        offset = headers.get("x-goog-upload-offset", "0").strip() or "0"
        if "finalize" not in command or offset != "0":
            return True
    content_range = _CONTENT_RANGE.search(headers.get("content-range", ""))
    if content_range:
        start, end, total = content_range.groups()
        if start != "0" or total == "*" or int(end) + 1 != int(total):
            return True
    query = {key.lower(): value for key, value in parse_qs(url.query).items()}
    if any(value.lower() in ("block", "appendblock") for value in query.get("comp", [])):
        return True
    return "partnumber" in query and "uploadid" in query


def as_slice(prompt: Prompt) -> Prompt:
    """The prompt of a slice: its text is scanned; whatever its readers made of its bytes
    (a "broken PDF", an "unknown binary") is one thing: part of a file."""
    return replace(prompt, unscanned=(), unreadable=(Unreadable(BODY, PART_OF_FILE),))
