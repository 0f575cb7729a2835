"""PDF and Office files that carry a value in one place outside their body text only.

Each builder takes the value and returns file bytes whose body text is harmless; the
value sits only in the place the builder is named for. Built with the libraries the
gateway reads them with (pypdf, python-docx, openpyxl, python-pptx), or by editing the
package XML where a library has no API for the place. Used by the table tests in
tests/extract/test_file_places.py and the end-to-end cases in tests/adversarial.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from tests.extract.file_samples import docx_bytes, pdf_bytes, pptx_bytes, xlsx_bytes

CLEAN = "Quartalsbericht: Umsatz gestiegen."


def _pdf_writer():  # type: ignore[no-untyped-def]
    from pypdf import PdfReader, PdfWriter

    return PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([CLEAN]))))


def _written(writer) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_info(key: str) -> Callable[[str], bytes]:
    def build(value: str) -> bytes:
        writer = _pdf_writer()
        writer.add_metadata({key: value})
        return _written(writer)

    return build


def pdf_xmp(value: str) -> bytes:
    from pypdf.generic import NameObject, StreamObject

    writer = _pdf_writer()
    xmp = (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{value}</rdf:li></rdf:Alt>'
        '</dc:description></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()
    stream = StreamObject()
    stream.set_data(xmp)
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    writer.root_object[NameObject("/Metadata")] = writer._add_object(stream)
    return _written(writer)


def pdf_comment(value: str) -> bytes:
    from pypdf.annotations import Text

    writer = _pdf_writer()
    writer.add_annotation(0, Text(text=value, rect=(50, 550, 200, 650)))
    return _written(writer)


def pdf_free_text(value: str) -> bytes:
    from pypdf.annotations import FreeText

    writer = _pdf_writer()
    writer.add_annotation(0, FreeText(text=value, rect=(50, 550, 200, 650)))
    return _written(writer)


def pdf_form_field(value: str) -> bytes:
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        TextStringObject,
    )

    writer = _pdf_writer()
    field = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject("kunde"),
            NameObject("/V"): TextStringObject(value),
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (50, 500, 300, 520)]),
        }
    )
    reference = writer._add_object(field)
    page = writer.pages[0]
    page[NameObject("/Annots")] = ArrayObject([reference])
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([reference])}
    )
    return _written(writer)


def pdf_attachment(value: str) -> bytes:
    writer = _pdf_writer()
    writer.add_attachment("anhang.txt", value.encode())
    return _written(writer)


def pdf_bookmark(value: str) -> bytes:
    writer = _pdf_writer()
    writer.add_outline_item(value, 0)
    return _written(writer)


def pdf_link(value: str) -> bytes:
    from pypdf.annotations import Link

    writer = _pdf_writer()
    writer.add_annotation(0, Link(rect=(50, 50, 200, 70), url=f"mailto:{value}"))
    return _written(writer)


# ---- Office: edit the package where the library has no API -------------------------


def edited(
    data: bytes, changes: dict[str, Callable[[bytes], bytes]], extra: dict[str, bytes]
) -> bytes:
    """`data` (a zip) with parts rewritten by `changes` and parts added from `extra`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename in changes:
                body = changes[info.filename](body)
            target.writestr(info, body)
        for name, body in extra.items():
            target.writestr(name, body)
    return out.getvalue()


def docx_property(key: str) -> Callable[[str], bytes]:
    def build(value: str) -> bytes:
        import docx

        document = docx.Document(io.BytesIO(docx_bytes([CLEAN])))
        setattr(document.core_properties, key, value)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    return build


def docx_comment(value: str) -> bytes:
    import docx

    document = docx.Document()
    paragraph = document.add_paragraph(CLEAN)
    document.add_comment(paragraph.runs, text=value, author="Prüfer", initials="P")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _in_body(xml: bytes) -> Callable[[bytes], bytes]:
    return lambda body: body.replace(b"</w:body>", xml + b"</w:body>", 1)


def docx_tracked_deletion(value: str) -> bytes:
    run = (
        f'<w:p><w:del w:id="9" w:author="A"><w:r><w:delText>{value}</w:delText></w:r></w:del></w:p>'
    )
    return edited(docx_bytes([CLEAN]), {"word/document.xml": _in_body(run.encode())}, {})


def docx_field_code(value: str) -> bytes:
    field = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> HYPERLINK '
        f'"mailto:{value}" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    return edited(docx_bytes([CLEAN]), {"word/document.xml": _in_body(field.encode())}, {})


def docx_custom_property(value: str) -> bytes:
    custom = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://'
        'schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://'
        'schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="'
        '{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Kunde"><vt:lpwstr>'
        f"{value}</vt:lpwstr></property></Properties>"
    )
    return edited(docx_bytes([CLEAN]), {}, {"docProps/custom.xml": custom.encode()})


def docx_embedded_workbook(value: str) -> bytes:
    workbook = xlsx_bytes({"Tabelle1": [["Kunde", value]]})
    return edited(
        docx_bytes([CLEAN]), {}, {"word/embeddings/Microsoft_Excel_Sheet1.xlsx": workbook}
    )


def docx_header(value: str) -> bytes:
    return docx_bytes([CLEAN], header=value)


def xlsx_comment(value: str) -> bytes:
    import openpyxl
    from openpyxl.comments import Comment

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = CLEAN
    sheet["A1"].comment = Comment(value, "Prüfer")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _workbook(edit: Callable[[object], None]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = CLEAN
    edit(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_property(value: str) -> bytes:
    return _workbook(lambda wb: setattr(wb.properties, "keywords", value))  # type: ignore[attr-defined]


def xlsx_hidden_sheet(value: str) -> bytes:
    def edit(workbook) -> None:  # type: ignore[no-untyped-def]
        sheet = workbook.create_sheet("Intern")
        sheet["B2"] = value
        sheet.sheet_state = "veryHidden"

    return _workbook(edit)


def xlsx_sheet_name(value: str) -> bytes:
    return _workbook(lambda wb: setattr(wb.active, "title", value[:31]))  # type: ignore[attr-defined]


def xlsx_header_footer(value: str) -> bytes:
    def edit(workbook) -> None:  # type: ignore[no-untyped-def]
        workbook.active.oddFooter.center.text = value

    return _workbook(edit)


def xlsx_defined_name(value: str) -> bytes:
    def edit(workbook) -> None:  # type: ignore[no-untyped-def]
        from openpyxl.workbook.defined_name import DefinedName

        workbook.defined_names["Kontakt"] = DefinedName("Kontakt", attr_text=f'"{value}"')

    return _workbook(edit)


def pptx_notes(value: str) -> bytes:
    return pptx_bytes([CLEAN], notes=value)


def pptx_property(value: str) -> bytes:
    import pptx

    presentation = pptx.Presentation(io.BytesIO(pptx_bytes([CLEAN])))
    presentation.core_properties.subject = value
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def pptx_master(value: str) -> bytes:
    import pptx

    presentation = pptx.Presentation(io.BytesIO(pptx_bytes([CLEAN])))
    presentation.slide_master.placeholders[0].text_frame.text = value
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def pptx_comment(value: str) -> bytes:
    comments = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:cmLst xmlns:p="http://'
        'schemas.openxmlformats.org/presentationml/2006/main"><p:cm authorId="0" idx="1">'
        f'<p:pos x="10" y="10"/><p:text>{value}</p:text></p:cm></p:cmLst>'
    )
    return edited(pptx_bytes([CLEAN]), {}, {"ppt/comments/comment1.xml": comments.encode()})


# place -> (file name, builder); the value is only in that place.
DOCUMENT_PLACES: dict[str, tuple[str, Callable[[str], bytes]]] = {
    "pdf title": ("bericht.pdf", pdf_info("/Title")),
    "pdf author": ("bericht.pdf", pdf_info("/Author")),
    "pdf subject": ("bericht.pdf", pdf_info("/Subject")),
    "pdf keywords": ("bericht.pdf", pdf_info("/Keywords")),
    "pdf custom info": ("bericht.pdf", pdf_info("/Kunde")),
    "pdf xmp": ("bericht.pdf", pdf_xmp),
    "pdf comment": ("bericht.pdf", pdf_comment),
    "pdf free text": ("bericht.pdf", pdf_free_text),
    "pdf form field": ("bericht.pdf", pdf_form_field),
    "pdf attachment": ("bericht.pdf", pdf_attachment),
    "pdf bookmark": ("bericht.pdf", pdf_bookmark),
    "pdf link": ("bericht.pdf", pdf_link),
    "docx title": ("bericht.docx", docx_property("title")),
    "docx author": ("bericht.docx", docx_property("author")),
    "docx keywords": ("bericht.docx", docx_property("keywords")),
    "docx comments property": ("bericht.docx", docx_property("comments")),
    "docx custom property": ("bericht.docx", docx_custom_property),
    "docx comment": ("bericht.docx", docx_comment),
    "docx header": ("bericht.docx", docx_header),
    "docx tracked deletion": ("bericht.docx", docx_tracked_deletion),
    "docx field code": ("bericht.docx", docx_field_code),
    "docx embedded workbook": ("bericht.docx", docx_embedded_workbook),
    "xlsx comment": ("tabelle.xlsx", xlsx_comment),
    "xlsx property": ("tabelle.xlsx", xlsx_property),
    "xlsx very hidden sheet": ("tabelle.xlsx", xlsx_hidden_sheet),
    "xlsx sheet name": ("tabelle.xlsx", xlsx_sheet_name),
    "xlsx footer": ("tabelle.xlsx", xlsx_header_footer),
    "xlsx defined name": ("tabelle.xlsx", xlsx_defined_name),
    "pptx notes": ("folien.pptx", pptx_notes),
    "pptx property": ("folien.pptx", pptx_property),
    "pptx master": ("folien.pptx", pptx_master),
    "pptx comment": ("folien.pptx", pptx_comment),
}
