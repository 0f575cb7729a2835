"""CSV exports that German Excel opens directly: UTF-8 with BOM, `;`, words not codes.

Datasette streams a view's CSV (`?_stream=on`: every row, page by page) with commas,
no BOM, codes and ISO UTC times. This ASGI middleware rewrites that stream on the fly:
each complete record is parsed with the csv module and written again with `;`, the
header in the UI's language and every value through review/labels.py (local time,
German date format, labels). The response is a download (Content-Disposition). Cells
that Excel would read as a formula get a leading apostrophe (CSV injection).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from review.labels import TIMEZONE, Labels

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class CsvRecoder:
    """Incremental: feed() Datasette's CSV text, get the German CSV text back."""

    def __init__(self, labels: Labels) -> None:
        self.labels = labels
        self._pending = ""
        self._header: list[str] | None = None
        self._started = False

    def feed(self, text: str, final: bool = False) -> str:
        self._pending += text
        end = len(self._pending) if final else _last_record_end(self._pending)
        if end <= 0:
            return ""
        complete, self._pending = self._pending[:end], self._pending[end:]
        out = io.StringIO()
        if not self._started:
            out.write(BOM)
            self._started = True
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        for record in csv.reader(io.StringIO(complete, newline="")):
            if self._header is None:
                self._header = record
                writer.writerow([self.labels.column(c) for c in record])
                continue
            row = dict(zip(self._header, record, strict=False))
            writer.writerow(
                [_no_formula(self.labels.cell(c, v or None, row)) for c, v in row.items()]
            )
        return out.getvalue()


def _last_record_end(text: str) -> int:
    """The end of the last complete record: after a newline outside quotes (an even
    number of quote characters before it; "" inside a field counts twice)."""
    quotes = 0
    end = 0
    for match in re.finditer(r'"|\n', text):
        if match.group() == '"':
            quotes += 1
        elif quotes % 2 == 0:
            end = match.end()
    return end


def _no_formula(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def german_csv(app: App, labels: Labels, path: re.Pattern[str]) -> App:
    """Wrap `app`: GET requests whose path matches `path` (group "name": the view)
    are streamed in full and recoded by CsvRecoder."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        match = path.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or scope.get("method") != "GET":
            await app(scope, receive, send)
            return
        query = [
            (k, v)
            for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"), True)
            if k not in ("_stream", "_dl", "_next", "_size", "_trace")
        ]
        query += [("_stream", "on"), ("_size", "max")]
        scope = dict(scope, query_string=urlencode(query).encode("latin-1"))
        recoder = CsvRecoder(labels)
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        day = datetime.now(TIMEZONE).strftime("%Y-%m-%d")
        filename = f"{match.group('name').replace('_', '-')}-{day}.csv"
        recoding = False

        async def send_recoded(message: Message) -> None:
            nonlocal recoding
            if message["type"] == "http.response.start":
                recoding = message["status"] == 200
                if recoding:
                    headers = [
                        (k, v)
                        for k, v in message.get("headers", [])
                        if k.lower() not in (b"content-type", b"content-disposition")
                    ]
                    headers += [
                        (b"content-type", b"text/csv; charset=utf-8"),
                        (b"content-disposition", f'attachment; filename="{filename}"'.encode()),
                    ]
                    message = dict(message, headers=headers)
            elif message["type"] == "http.response.body" and recoding:
                more = message.get("more_body", False)
                text = decoder.decode(message.get("body", b""), final=not more)
                message = dict(message, body=recoder.feed(text, final=not more).encode("utf-8"))
            await send(message)

        await app(scope, receive, send_recoded)

    return wrapped
