"""PowerPoint (PPTX/PPTM; python-pptx): text frames, tables and speaker notes of every
slide (hidden ones too), group shapes included. Masters and layouts, comments, SmartArt,
charts, alternative text, properties and embedded objects:
extract/file_text/office_extras.py."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from extract.file_text.bounds import Budget
from extract.file_text.office_xml import cells, xml_text
from extract.file_text.outcome import Collector, plural


def read_pptx(data: bytes, out: Collector, budget: Budget) -> str:
    import pptx

    try:
        presentation = pptx.Presentation(io.BytesIO(data))
    except ValueError:  # slide shows and templates (.ppsx, .potx): python-pptx refuses them
        return _pptx_parts(data, out)
    slides = 0
    for slide in presentation.slides:
        budget.check_time("pptx")
        slides += 1
        for shape in slide.shapes:
            _shape_text(shape, out, depth=0)
        if slide.has_notes_slide:
            frame = slide.notes_slide.notes_text_frame
            if frame is not None:
                out.line(frame.text)
    return f"pptx, {plural(slides, 'slide')}"


_SLIDE_PART = re.compile(r"ppt/(slides/slide|notesSlides/notesSlide)(\d+)\.xml")


def _pptx_parts(data: bytes, out: Collector) -> str:
    """Slides and notes read straight from the package, in slide order."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = []
        for name in zf.namelist():
            match = _SLIDE_PART.fullmatch(name)
            if match:
                parts.append((int(match[2]), match[1].startswith("notes"), name))
        for _, _, name in sorted(parts):
            out.line(xml_text(zf.read(name)))
    slides = sum(1 for _, notes, _ in parts if not notes)
    return f"pptx, {plural(slides, 'slide')}"


def _shape_text(shape: Any, out: Collector, depth: int) -> None:
    if depth > 20:
        return
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        out.line(shape.text_frame.text)
    if getattr(shape, "has_table", False) and shape.has_table:
        for row in shape.table.rows:
            out.line("\t".join(cells(cell.text for cell in row.cells)))
    if hasattr(shape, "shapes"):  # group shape
        for child in shape.shapes:
            _shape_text(child, out, depth + 1)
