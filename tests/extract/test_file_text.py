"""file_text: text of uploaded files, bounded, with a defined outcome for every input."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from extract.file_text import FileText, bounds, file_text, pdf
from tests.extract.file_samples import (
    JPEG_HEADER,
    PNG_1X1,
    SAMPLE_IBAN,
    SAMPLE_NAME,
    blank_pdf_bytes,
    docx_bytes,
    encrypted_pdf_bytes,
    pdf_bytes,
    pptx_bytes,
    xlsx_bytes,
    zip_bomb_docx,
)

LIMIT = 10 * 1024 * 1024
STATUSES = {"scanned", "image_not_scanned", "unsupported", "unreadable"}
KINDS = {"pdf", "docx", "xlsx", "pptx", "text", "image", "archive", "unknown"}


def sample(kind: str) -> bytes:
    if kind == "pdf":
        return pdf_bytes([f"Kunde: {SAMPLE_NAME}", f"IBAN {SAMPLE_IBAN}"], pages=2)
    if kind == "docx":
        return docx_bytes([f"Kunde: {SAMPLE_NAME}", f"IBAN {SAMPLE_IBAN}"])
    if kind == "xlsx":
        return xlsx_bytes({"Kunden": [["Name", "IBAN"], [SAMPLE_NAME, SAMPLE_IBAN]]})
    if kind == "pptx":
        return pptx_bytes([f"Kunde: {SAMPLE_NAME}", f"IBAN {SAMPLE_IBAN}"])
    raise AssertionError(kind)


def assert_defined(result: FileText) -> None:
    assert result.status in STATUSES
    assert result.kind in KINDS
    assert (result.status == "unreadable") == (result.why is not None)
    assert isinstance(result.detail, str) and result.detail
    assert SAMPLE_IBAN not in result.detail and SAMPLE_NAME not in result.detail


# --- round trips ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pdf", "docx", "xlsx", "pptx"])
def test_round_trip_iban_and_name(kind: str) -> None:
    result = file_text(sample(kind), f"upload.{kind}", None, LIMIT)
    assert (result.status, result.kind) == ("scanned", kind)
    assert result.text is not None
    assert SAMPLE_IBAN in result.text
    assert SAMPLE_NAME in result.text
    assert_defined(result)


def test_pdf_pages_joined_and_counted() -> None:
    result = file_text(pdf_bytes(["Seite", "Grüße aus Köln"], pages=3), None, None, LIMIT)
    assert result.detail == "pdf, 3 pages"
    assert result.text is not None
    assert result.text.count("Grüße aus Köln") == 3


def test_docx_tables_headers_footers() -> None:
    data = docx_bytes(
        ["Anschreiben"],
        table=[["Name", "IBAN"], [SAMPLE_NAME, SAMPLE_IBAN]],
        header="Kopfzeile Müller GmbH",
        footer="Fußzeile info@example.de",
    )
    result = file_text(data, None, None, LIMIT)
    assert result.status == "scanned"
    assert result.text is not None
    lines = result.text.splitlines()
    assert "Name\tIBAN" in lines
    assert f"{SAMPLE_NAME}\t{SAMPLE_IBAN}" in lines
    assert "Kopfzeile Müller GmbH" in lines
    assert "Fußzeile info@example.de" in lines
    assert lines[0] == "Anschreiben"  # main document before headers and footers


def test_xlsx_row_wise_tab_separated_with_sheet_titles() -> None:
    data = xlsx_bytes(
        {
            "Kunden": [["Name", "IBAN", "Betrag"], [SAMPLE_NAME, SAMPLE_IBAN, 12.5], [None, None]],
            "Leer": [],
        }
    )
    result = file_text(data, None, None, LIMIT)
    assert (result.status, result.detail) == ("scanned", "xlsx, 2 sheets")
    assert result.text is not None
    lines = result.text.splitlines()
    assert lines[:3] == ["Kunden", "Name\tIBAN\tBetrag", f"{SAMPLE_NAME}\t{SAMPLE_IBAN}\t12.5"]
    assert "Leer" in lines


def test_xlsx_forged_dimension_stays_fast() -> None:
    """<dimension ref="A1:XFD1048576"> must not make us visit 17 billion empty cells."""
    data = xlsx_bytes({"S": [["Name", SAMPLE_NAME]]})
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:B1"/>' in body
                body = body.replace(b'ref="A1:B1"', b'ref="A1:XFD1048576"')
            target.writestr(info, body)
    start = time.monotonic()
    result = file_text(out.getvalue(), None, None, LIMIT)
    assert time.monotonic() - start < 5
    assert result.status == "scanned"
    assert result.text is not None and f"Name\t{SAMPLE_NAME}" in result.text


def test_pptx_tables_and_notes() -> None:
    data = pptx_bytes(
        ["Quartalszahlen", "Ausblick"],
        notes=f"Rückfrage bei {SAMPLE_NAME}",
        table=[["Name", "IBAN"], ["Erika Musterfrau", SAMPLE_IBAN]],
    )
    result = file_text(data, None, None, LIMIT)
    assert (result.status, result.detail) == ("scanned", "pptx, 2 slides")
    assert result.text is not None
    lines = result.text.splitlines()
    assert f"Erika Musterfrau\t{SAMPLE_IBAN}" in lines
    assert f"Rückfrage bei {SAMPLE_NAME}" in lines
    assert lines.index("Ausblick") > lines.index(f"Rückfrage bei {SAMPLE_NAME}")


def retype(data: bytes, old: bytes, new: bytes) -> bytes:
    """`data` with a content type in [Content_Types].xml replaced (docm, ppsx, ...)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "[Content_Types].xml":
                assert old in body
                body = body.replace(old, new)
            target.writestr(info, body)
    return out.getvalue()


@pytest.mark.parametrize(
    ("kind", "old", "new"),
    [
        (
            "docx",
            b"vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            b"vnd.ms-word.document.macroEnabled.main+xml",
        ),
        (
            "docx",
            b"vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            b"vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
        ),
        (
            "xlsx",
            b"vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"vnd.ms-excel.sheet.macroEnabled.main+xml",
        ),
        (
            "pptx",
            b"vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
            b"vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
        ),
        (
            "pptx",
            b"vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
            b"vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",
        ),
    ],
)
def test_macro_enabled_templates_and_slide_shows(kind: str, old: bytes, new: bytes) -> None:
    result = file_text(retype(sample(kind), old, new), None, None, LIMIT)
    assert (result.status, result.kind) == ("scanned", kind)
    assert result.text is not None
    assert SAMPLE_IBAN in result.text and SAMPLE_NAME in result.text


# --- text encodings ----------------------------------------------------------

GERMAN = f"Straße: Königsallee 1, Müller, Grüße – Fußnote\nIBAN {SAMPLE_IBAN}\n"


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (GERMAN.encode("utf-8"), "utf-8"),
        (GERMAN.encode("utf-8-sig"), "utf-8"),
        (GERMAN.encode("utf-16"), "utf-16-le"),  # BOM + little endian on this machine
        (b"\xfe\xff" + GERMAN.encode("utf-16-be"), "utf-16-be"),
        (GERMAN.encode("utf-16-le"), "utf-16-le"),  # no BOM: guessed from the NUL pattern
        (GERMAN.encode("cp1252"), "cp1252"),
    ],
)
def test_text_encodings(encoded: bytes, encoding: str) -> None:
    result = file_text(encoded, "notiz.txt", "text/plain", LIMIT)
    assert result == FileText(GERMAN, "scanned", f"text, {encoding}", "text")


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("daten.csv", None),
        ("daten.json", "application/json"),
        ("main.py", None),
        ("index.html", "text/html; charset=utf-8"),
        (None, "application/vnd.api+json"),
        ("Makefile", None),
        (None, None),  # sniffed: no magic, no hint, but it is text
        ("blob.bin", "application/octet-stream"),
    ],
)
def test_text_types_by_hint_or_sniff(filename: str | None, content_type: str | None) -> None:
    result = file_text(
        f"name,iban\n{SAMPLE_NAME},{SAMPLE_IBAN}\n".encode(), filename, content_type, 100
    )
    assert (result.status, result.kind) == ("scanned", "text")
    assert result.text is not None and SAMPLE_IBAN in result.text


def test_unknown_binary_is_unsupported() -> None:
    data = bytes(range(256)) * 4
    assert file_text(data, "x.bin", None, LIMIT) == FileText(
        None, "unsupported", "unknown binary", "unknown"
    )


# --- magic bytes beat names ----------------------------------------------------


@pytest.mark.parametrize("kind", ["pdf", "docx", "xlsx", "pptx"])
@pytest.mark.parametrize(("filename", "content_type"), [("bild.png", "image/png"), ("a.txt", None)])
def test_magic_beats_wrong_extension(kind: str, filename: str, content_type: str | None) -> None:
    result = file_text(sample(kind), filename, content_type, LIMIT)
    assert (result.status, result.kind) == ("scanned", kind)
    assert result.text is not None and SAMPLE_IBAN in result.text


def test_pdf_magic_after_junk_and_text_about_pdf() -> None:
    result = file_text(b"\x00\x01junk\n" + sample("pdf"), None, None, LIMIT)
    assert (result.status, result.kind) == ("scanned", "pdf")
    note = f"Header ist %PDF-1.7, IBAN {SAMPLE_IBAN}\n".encode()
    result = file_text(note, "notiz.md", None, LIMIT)
    assert (result.status, result.kind) == ("scanned", "text")


def test_docx_named_xlsx_is_docx() -> None:
    result = file_text(sample("docx"), "tabelle.xlsx", None, LIMIT)
    assert result.kind == "docx"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (PNG_1X1, "png"),
        (JPEG_HEADER + bytes(100), "jpeg"),
        (b"GIF89a" + bytes(20), "gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(20), "webp"),
        (b"\x00\x00\x00\x18ftypheic" + bytes(20), "heic"),
    ],
)
def test_images_are_not_scanned(data: bytes, what: str) -> None:
    result = file_text(data, "scan.pdf", "application/pdf", LIMIT)  # the magic decides
    assert result == FileText(None, "image_not_scanned", f"image, {what}", "image")


def test_image_by_name_only() -> None:
    result = file_text(bytes(range(256)), "foto.jpg", None, LIMIT)
    assert (result.status, result.kind) == ("image_not_scanned", "image")


def test_pdf_without_text_layer_is_image_not_scanned() -> None:
    result = file_text(blank_pdf_bytes(pages=2), "scan.pdf", None, LIMIT)
    assert (result.status, result.detail, result.kind) == (
        "image_not_scanned",
        "pdf, 2 pages, no text layer",
        "pdf",
    )
    assert result.text == "pypdf"  # the document info (Producer) is text all the same


def test_legacy_office_files_are_unsupported() -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    result = file_text(ole2, "alt.doc", None, LIMIT)
    assert (result.status, result.kind) == ("unsupported", "unknown")


# --- limits -----------------------------------------------------------------------


def test_zip_bomb_is_too_large_before_parsing() -> None:
    bomb = zip_bomb_docx(200 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    start = time.monotonic()
    result = file_text(bomb, "bewerbung.docx", None, LIMIT)
    assert time.monotonic() - start < 1
    assert (result.status, result.why, result.kind, result.text) == (
        "unreadable",
        "inflates_too_much",
        "docx",
        None,
    )
    assert "inflates beyond" in result.detail


def test_zip_bound_scales_with_limit() -> None:
    data = sample("docx")
    inflated = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    limit = inflated // bounds.INFLATE_FACTOR - 1
    assert len(data) <= limit
    assert file_text(data, None, None, limit).why == "inflates_too_much"
    assert file_text(data, None, None, inflated).status == "scanned"


def test_input_over_limit() -> None:
    pdf = sample("pdf")
    result = file_text(pdf, None, None, len(pdf) - 1)
    assert (result.status, result.why, result.kind, result.text) == (
        "unreadable",
        "too_large",
        "pdf",
        None,
    )
    text = ("ä" * 10).encode("utf-8")
    result = file_text(text, "a.txt", None, 5)  # cuts a character in half
    assert (result.why, result.kind, result.text) == ("too_large", "text", "ää")


def test_text_over_limit_keeps_first_limit_characters() -> None:
    data = pdf_bytes([f"IBAN {SAMPLE_IBAN}"] * 40, pages=20, compress=True)
    full = file_text(data, None, None, LIMIT)
    assert full.status == "scanned" and full.text is not None
    limit = len(data)  # the input fits; its text (20 pages) does not
    assert len(full.text) > limit
    result = file_text(data, None, None, limit)
    assert (result.status, result.why) == ("unreadable", "too_large")
    assert result.text == full.text[:limit]


@pytest.mark.parametrize("kind", ["docx", "xlsx", "pptx"])
def test_office_text_over_limit_keeps_first_limit_characters(kind: str) -> None:
    lines = [f"{SAMPLE_NAME} {i}\t{SAMPLE_IBAN}" for i in range(3000)]
    if kind == "docx":
        data = docx_bytes(lines)
    elif kind == "xlsx":
        data = xlsx_bytes({"S": [line.split("\t") for line in lines]})
    else:
        data = pptx_bytes(["Notizen"], notes="\n".join(lines))
    full = file_text(data, None, None, LIMIT)
    assert full.status == "scanned" and full.text is not None
    # A limit the input and its inflated parts fit, but its text does not.
    inflated = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    limit = max(len(data), -(-inflated // bounds.INFLATE_FACTOR))
    assert len(full.text) > limit
    result = file_text(data, None, None, limit)
    assert (result.status, result.why, result.kind) == ("unreadable", "too_large", kind)
    assert result.text == full.text[:limit]
    assert result.detail == f"{kind}; text exceeds {limit}"


def test_pdf_page_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "PDF_MAX_PAGES", 2)
    result = file_text(pdf_bytes([SAMPLE_IBAN], pages=3), None, None, LIMIT)
    assert (result.status, result.why, result.detail) == (
        "unreadable",
        "too_many_pages",
        "pdf, 3 pages; only the first 2 read",
    )
    assert result.text is not None and result.text.count(SAMPLE_IBAN) == 2


def test_encrypted_pdf_is_unreadable() -> None:
    data = encrypted_pdf_bytes([f"IBAN {SAMPLE_IBAN}"])
    assert file_text(data, "a.pdf", None, LIMIT) == FileText(
        None, "unreadable", "pdf, encrypted", "pdf", "encrypted"
    )


def test_pdf_encrypted_with_empty_password_is_read() -> None:
    data = encrypted_pdf_bytes([f"IBAN {SAMPLE_IBAN}"], password="")
    result = file_text(data, "a.pdf", None, LIMIT)
    assert result.status == "scanned"
    assert result.text is not None and SAMPLE_IBAN in result.text


# --- broken input ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pdf", "docx", "xlsx", "pptx"])
@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_truncated_files_are_corrupt(kind: str, fraction: float) -> None:
    data = sample(kind)
    result = file_text(data[: int(len(data) * fraction)], f"a.{kind}", None, LIMIT)
    assert (result.status, result.why) == ("unreadable", "corrupt")
    assert result.kind == kind  # magic for pdf; the name for a zip cut before its directory
    assert_defined(result)


@pytest.mark.parametrize("kind", ["docx", "xlsx", "pptx"])
def test_corrupt_main_part_is_unreadable(kind: str) -> None:
    data = sample(kind)
    main = {"docx": "word/document.xml", "xlsx": "xl/worksheets/sheet1.xml"}.get(
        kind, "ppt/slides/slide1.xml"
    )
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            target.writestr(info, body[: len(body) // 2] if info.filename == main else body)
    result = file_text(out.getvalue(), None, None, LIMIT)
    assert (result.status, result.why, result.kind) == ("unreadable", "corrupt", kind)
    assert result.text in (None, "Kunden")  # what was read before it broke
    assert_defined(result)


def test_pdf_header_then_garbage_is_corrupt() -> None:
    result = file_text(b"%PDF-1.7\n" + b"\x13\x37" * 300, None, None, LIMIT)
    assert (result.why, result.kind, result.text) == ("corrupt", "pdf", None)


@pytest.mark.parametrize("kind", ["pdf", "docx", "xlsx", "pptx"])
def test_claimed_type_with_binary_garbage_is_corrupt(kind: str) -> None:
    result = file_text(bytes(range(256)), f"a.{kind}", None, LIMIT)
    assert result == FileText(None, "unreadable", f"not a valid {kind} file", kind, "corrupt")


@pytest.mark.parametrize(
    ("filename", "content_type", "kind"),
    [(None, None, "unknown"), ("a.pdf", None, "pdf"), (None, "text/plain", "text")],
)
def test_empty_input(filename: str | None, content_type: str | None, kind: str) -> None:
    assert file_text(b"", filename, content_type, LIMIT) == FileText(
        "", "scanned", "empty file", kind
    )


@pytest.mark.parametrize(
    "data", [b"PK\x03\x04", b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xfe", b"\x00"]
)
def test_tiny_inputs_are_defined(data: bytes) -> None:
    for limit in (0, 1, LIMIT):
        assert_defined(file_text(data, None, None, limit))
