"""Running one format reader: the size check, the reader, and every way it can end
mapped onto a FileText (a parser's exception is a "corrupt" file, never a crash)."""

from __future__ import annotations

from collections.abc import Callable

from extract.file_text.bounds import Budget
from extract.file_text.outcome import (
    CORRUPT,
    IMAGE_NOT_SCANNED,
    RANK,
    SCANNED,
    TEXT,
    TOO_LARGE,
    UNREADABLE,
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
        return _result(out, UNREADABLE, exc.detail, kind, exc.why)
    except Unsupported as exc:
        return _result(out, UNSUPPORTED, exc.detail, kind)
    except NoTextLayer as exc:
        return _result(out, IMAGE_NOT_SCANNED, exc.detail, kind)
    except RecursionError:
        return _result(out, UNREADABLE, "RecursionError", kind, CORRUPT)
    except Exception as exc:  # a parser giving up on broken input
        return _result(out, UNREADABLE, type(exc).__name__, kind, CORRUPT)
    return _result(out, SCANNED, detail, kind)


def _result(
    out: Collector, status: str, detail: str, kind: str, why: str | None = None
) -> FileText:
    """The FileText of what `out` collected; a nested file (archive member, attachment)
    that was read less completely than this one makes this one that much less read."""
    worst = out.worst
    if worst is not None and RANK[worst.status] > RANK[status]:
        status, detail, why = worst.status, f"{detail}; {worst.detail}", worst.why
    text = out.text()[: out.limit]
    if status == SCANNED:
        return FileText(text, status, detail, kind, authors=out.author_text())
    return FileText(text or None, status, detail, kind, why, out.author_text())
