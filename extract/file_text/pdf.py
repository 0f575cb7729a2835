"""PDF (pypdf): the text layer of every page, pages joined by "\\n"."""

from __future__ import annotations

import io

from extract.file_text.outcome import NoTextLayer, TooLarge, Unsupported, plural

PDF_MAX_PAGES = 500


def read_pdf(data: bytes, limit: int) -> tuple[str, str]:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except Exception as exc:
            raise Unsupported("encrypted") from exc
        if not opened:
            raise Unsupported("encrypted")
    total = len(reader.pages)
    count = min(total, PDF_MAX_PAGES)
    parts: list[str] = []
    size = 0
    for index in range(count):
        page_text = reader.pages[index].extract_text() or ""
        parts.append(page_text)
        size += len(page_text) + 1
        if size > limit:
            raise TooLarge(f"pdf, {total} pages; text exceeds {limit}", "\n".join(parts))
    text = "\n".join(parts)
    if count < total:
        raise TooLarge(f"pdf, {total} pages; only the first {count} read", text)
    if total and not text.strip():
        raise NoTextLayer(f"pdf, {plural(total, 'page')}, no text layer")
    return text, f"pdf, {plural(total, 'page')}"
