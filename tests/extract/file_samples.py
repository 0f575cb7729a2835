"""Builders for small sample files, made in memory for tests (no binary fixtures).

End-to-end tests import these to upload a PDF/DOCX/XLSX/PPTX that contains an
IBAN, e.g. `pdf_bytes(["Kunde: Max Mustermann", f"IBAN {SAMPLE_IBAN}"])`.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Sequence

SAMPLE_IBAN = "DE89 3704 0044 0532 0130 00"
SAMPLE_NAME = "Max Mustermann"

# The smallest useful PNG: 1x1, 8-bit greyscale.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000"
    "3a7e9b550000000a49444154789c6360000000020001e221bc330000000049454e44ae426082"
)
JPEG_HEADER = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def _pdf_escape(line: str) -> bytes:
    raw = line.encode("cp1252")  # WinAnsiEncoding below: ä, ö, ü, ß work
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def pdf_bytes(lines: Sequence[str], pages: int = 1, compress: bool = False) -> bytes:
    """A valid PDF with Helvetica text, `lines` on each of `pages` pages.

    Built by hand (a few hundred bytes) with a correct xref table, so pypdf's
    extract_text() reads the lines back. `compress` deflates the content streams
    (/FlateDecode), which makes the text much larger than the file.
    """
    content = b"BT /F1 12 Tf 72 712 Td 14 TL\n"
    for line in lines:
        content += b"(" + _pdf_escape(line) + b") Tj T*\n"
    content += b"ET\n"
    stream_dict = b"<< /Length %d >>"
    if compress:
        content = zlib.compress(content, 9)
        stream_dict = b"<< /Length %d /Filter /FlateDecode >>"

    page_ids = [4 + 2 * i for i in range(pages)]
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % pid for pid in page_ids)
        + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for pid in page_ids:
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (pid + 1)
        )
        objects.append(stream_dict % len(content) + b"\nstream\n" + content + b"endstream")

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def blank_pdf_bytes(pages: int = 1) -> bytes:
    """A PDF with empty pages and no text layer (like a scan without OCR)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf_bytes(lines: Sequence[str], password: str = "geheim") -> bytes:
    """`pdf_bytes(lines)` encrypted with a user password (AES-256)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(lines))))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(
    paragraphs: Sequence[str],
    table: Sequence[Sequence[str]] = (),
    header: str | None = None,
    footer: str | None = None,
) -> bytes:
    """A Word document with paragraphs, an optional table, header and footer."""
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(row) for row in table))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    section = document.sections[0]
    if header is not None:
        section.header.paragraphs[0].text = header
    if footer is not None:
        section.footer.paragraphs[0].text = footer
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    """A workbook: sheet title -> rows of cell values."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def pptx_bytes(
    slides: Sequence[str],
    notes: str | None = None,
    table: Sequence[Sequence[str]] = (),
) -> bytes:
    """A presentation: one title slide per text, notes on the first, optional table."""
    import pptx
    from pptx.util import Inches

    presentation = pptx.Presentation()
    layout = presentation.slide_layouts[5]  # title only
    for index, text in enumerate(slides):
        slide = presentation.slides.add_slide(layout)
        slide.shapes.title.text = text
        if index == 0 and notes is not None:
            slide.notes_slide.notes_text_frame.text = notes
        if index == 0 and table:
            cols = max(len(row) for row in table)
            shape = slide.shapes.add_table(
                len(table), cols, Inches(1), Inches(2), Inches(6), Inches(2)
            )
            for r, row in enumerate(table):
                for c, value in enumerate(row):
                    shape.table.cell(r, c).text = value
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def zip_bomb_docx(member_size: int = 200 * 1024 * 1024) -> bytes:
    """A DOCX-looking zip whose one member inflates to `member_size` zero bytes.

    Deflate squeezes zeros about 1000:1, so 200 MB becomes ~200 KB. Built by
    streaming chunks into the archive; takes about a second.
    """
    content_types = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Override PartName="/word/document.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        b"</Types>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        chunk = bytes(1024 * 1024)
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            written = 0
            while written < member_size:
                piece = chunk[: min(len(chunk), member_size - written)]
                member.write(piece)
                written += len(piece)
    return out.getvalue()
