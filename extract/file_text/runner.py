"""Running one format reader: the size check, the reader, and every way it can end
mapped onto a FileText (a parser's exception is a "corrupt" file, never a crash)."""

from __future__ import annotations

from collections.abc import Callable

from extract.file_text.bounds import Budget
from extract.file_text.outcome import (
    CORRUPT,
    IMAGE_NOT_SCANNED,
    SCANNED,
    TEXT,
    TOO_LARGE,
    UNSUPPORTED,
    Collector,
    FileText,
    NoTextLayer,
    Unreadable,
    Unsupported,
    unreadable,
)
from extract.file_text.text import decode

# Reads one format: the bytes, a Collector for its text, the budget of the whole upload;
# returns the detail ("pdf, 3 pages") or raises one of outcome's errors.
Extract = Callable[[bytes, Collector, Budget], str]


def run(kind: str, data: bytes, budget: Budget, extract: Extract) -> FileText:
    """Size check, call the extractor, map every outcome onto a FileText."""
    limit = budget.limit
    if len(data) > limit:
        partial = decode(data[:limit], final=False)[0] if kind == TEXT else None
        return unreadable(TOO_LARGE, f"{kind} file exceeds {limit} bytes", kind, partial)
    out = Collector(limit, kind)
    try:
        detail = extract(data, out, budget)
    except Unreadable as exc:
        return unreadable(exc.why, exc.detail, kind, out.text()[:limit])
    except Unsupported as exc:
        return FileText(out.text()[:limit] or None, UNSUPPORTED, exc.detail, kind)
    except NoTextLayer as exc:
        return FileText(out.text()[:limit] or None, IMAGE_NOT_SCANNED, exc.detail, kind)
    except RecursionError:
        return unreadable(CORRUPT, "RecursionError", kind, out.text()[:limit])
    except Exception as exc:  # a parser giving up on broken input
        return unreadable(CORRUPT, type(exc).__name__, kind, out.text()[:limit])
    text = out.text()
    worst = out.worst
    if worst is not None:  # a nested file (member, attachment) was not read completely
        return FileText(text or None, worst.status, f"{detail}; {worst.detail}", kind, worst.why)
    return FileText(text, SCANNED, detail, kind)
