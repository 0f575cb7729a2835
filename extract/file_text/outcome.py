"""What reading a file gives (FileText), the errors format readers raise to say why
they stopped, and the wrapper that turns every outcome into a FileText."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from extract.file_text.text import decode

# Status values.
SCANNED = "scanned"
IMAGE_NOT_SCANNED = "image_not_scanned"
UNSUPPORTED = "unsupported"
TOO_LARGE = "too_large"
ERROR = "error"


# Kind values.
PDF = "pdf"
DOCX = "docx"
XLSX = "xlsx"
PPTX = "pptx"
TEXT = "text"
IMAGE = "image"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class FileText:
    """The outcome of reading one file.

    text:   extracted text; None when nothing was scanned. With status "too_large"
            it may hold the first `limit` characters (see the module docstring).
    status: "scanned" | "image_not_scanned" | "unsupported" | "too_large" | "error"
    detail: short reason or description, never file content ("pdf, 3 pages").
    kind:   "pdf" | "docx" | "xlsx" | "pptx" | "text" | "image" | "unknown"
    """

    text: str | None
    status: str
    detail: str
    kind: str


class TooLarge(Exception):
    """Raised inside an extractor when a bound is hit; carries the partial text."""

    def __init__(self, detail: str, partial: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.partial = partial


class Unsupported(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NoTextLayer(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def run(
    kind: str, data: bytes, limit: int, extract: Callable[[bytes, int], tuple[str, str]]
) -> FileText:
    """Size check, call the extractor, map every outcome onto a FileText."""
    if len(data) > limit:
        partial = decode(data[: max(limit, 0)], final=False)[0] if kind == TEXT else None
        return FileText(partial, TOO_LARGE, f"{kind} file exceeds {limit} bytes", kind)
    try:
        text, detail = extract(data, limit)
    except TooLarge as exc:
        partial = None if exc.partial is None else exc.partial[: max(limit, 0)]
        return FileText(partial, TOO_LARGE, exc.detail, kind)
    except Unsupported as exc:
        return FileText(None, UNSUPPORTED, exc.detail, kind)
    except NoTextLayer as exc:
        return FileText(None, IMAGE_NOT_SCANNED, exc.detail, kind)
    except RecursionError:
        return FileText(None, ERROR, "RecursionError", kind)
    except Exception as exc:
        return FileText(None, ERROR, type(exc).__name__, kind)
    if len(text) > limit:
        return FileText(text[: max(limit, 0)], TOO_LARGE, f"{detail}; text exceeds {limit}", kind)
    return FileText(text, SCANNED, detail, kind)


class Collector:
    """Accumulates text pieces and stops with TooLarge past `limit` characters."""

    def __init__(self, limit: int, kind: str) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit
        self.kind = kind

    def add(self, piece: str) -> None:
        if not piece:
            return
        self.parts.append(piece)
        self.size += len(piece)
        if self.size > self.limit:
            raise TooLarge(f"{self.kind}; text exceeds {self.limit}", self.text())

    def line(self, piece: str) -> None:
        if piece.strip():
            self.add(piece.rstrip("\n") + "\n")

    def text(self) -> str:
        return "".join(self.parts)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
