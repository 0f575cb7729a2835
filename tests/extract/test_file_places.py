"""Every place a file can hold text outside its body is read, and every file that cannot
be read completely is "unreadable" with its reason: one table row per place or bound,
files built with the libraries (tests/extract/hidden_documents.py, hidden_archives.py)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from extract.file_text import file_text
from tests.extract.hidden_archives import ARCHIVE_PLACES, UNREADABLE_FILES, nested
from tests.extract.hidden_documents import DOCUMENT_PLACES, pdf_info

LIMIT = 32 * 1024 * 1024
EMAIL = "max.mustermann@beispiel.de"  # fits a sheet name (31 characters)
PLACES = {**DOCUMENT_PLACES, **ARCHIVE_PLACES}


@pytest.mark.parametrize("place", sorted(PLACES))
def test_a_value_in_this_place_is_read(place: str) -> None:
    name, build = PLACES[place]
    clean = file_text(build("Nichts Besonderes hier"), name, None, LIMIT)
    result = file_text(build(EMAIL), name, None, LIMIT)
    read = (result.text or "") + (result.authors or "")
    assert EMAIL in read, (place, result)
    assert clean.text is None or EMAIL not in clean.text
    # images stay images (their pixels are not read); everything else was read whole
    expected = "image_not_scanned" if name.endswith((".png", ".jpg")) else "scanned"
    assert result.status == expected, (place, result)
    assert result.why is None


@pytest.mark.parametrize("case", sorted(UNREADABLE_FILES))
def test_a_file_beyond_a_bound_is_unreadable(case: str) -> None:
    name, build, why = UNREADABLE_FILES[case]
    data = build()
    started = time.process_time()
    result = file_text(data, name, None, LIMIT)
    assert (result.status, result.why) == ("unreadable", why), (case, result)
    assert EMAIL not in result.detail
    # bounds are checked before inflating: no bomb costs more than its bytes' worth
    assert time.process_time() - started < 5 + len(data) / 1_000_000


def test_unreadable_members_leave_the_others_read() -> None:
    from tests.extract.hidden_archives import encrypted_member, zip_of

    data = zip_of({"kunden.txt": EMAIL.encode(), "geheim.zip": encrypted_member()})
    result = file_text(data, "a.zip", None, LIMIT)
    assert (result.status, result.why) == ("unreadable", "encrypted")
    assert result.text is not None and EMAIL in result.text


def test_nesting_up_to_the_bound_is_read() -> None:
    from extract.file_text.bounds import MAX_DEPTH

    result = file_text(nested(MAX_DEPTH), "a.zip", None, LIMIT)
    assert result.status == "scanned" and result.text is not None
    assert "Quartalsbericht" in result.text


def test_an_image_inside_an_archive_keeps_the_archive_unscanned() -> None:
    from tests.extract.file_samples import PNG_1X1
    from tests.extract.hidden_archives import zip_of

    result = file_text(zip_of({"a.txt": EMAIL.encode(), "b.png": PNG_1X1}), "a.zip", None, LIMIT)
    assert result.status == "image_not_scanned" and result.text is not None and EMAIL in result.text


@pytest.mark.parametrize(
    ("build", "value"),
    [
        (pdf_info("/Author"), "Max Mustermann"),
        (pdf_info("/Author"), EMAIL),
        (DOCUMENT_PLACES["docx author"][1], "Mustermann, Max"),
        (DOCUMENT_PLACES["docx author"][1], EMAIL),
    ],
)
def test_author_fields_are_read_apart_from_the_text(
    build: Callable[[str], bytes], value: str
) -> None:
    """Whatever the author fields say is scanned, as its own part: a person's name there
    is whoever saved the file and does not count (pipeline.evaluation)."""
    result = file_text(build(value), None, None, LIMIT)
    assert result.authors is not None and value in result.authors
    assert result.text is None or value not in result.text


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Kündigung max@firma.de.pdf", "Kündigung max@firma.de.pdf\nKündigung max@firma.de"),
        ("max@firma.de.csv.gz", "max@firma.de.csv.gz\nmax@firma.de"),
        ("max@firma.pl", "max@firma.pl\nmax@firma"),  # the whole name stays: .pl is Poland
        ("Gehalt_DE89370400440532013000.txt", "Gehalt_DE89370400440532013000.txt"),
        (".pdf", ".pdf"),
    ],
)
def test_file_names_are_scanned_with_and_without_extensions(name: str, text: str) -> None:
    from extract.file_text.detect import name_text

    assert name_text(name) == text


def test_the_bytes_decide_not_the_declared_type() -> None:
    """A zip sent as text/plain (a multipart part, a raw body) is read as a zip."""
    from extract.registry import extract
    from tests.extract.hidden_archives import zip_member

    data = zip_member(EMAIL)
    boundary = "xyz"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    prompt = extract("generic", body, f"multipart/form-data; boundary={boundary}")
    assert any(EMAIL in part.text for part in prompt.parts)
    raw = extract("generic", data, "text/plain; charset=utf-8")
    assert any(EMAIL in part.text for part in raw.parts)


@pytest.mark.parametrize(
    "text",
    [
        "BMW 320d, Kennzeichen M-AB 123, Fahrer Max Mustermann, max@beispiel.de",
        " " * 257 + "ustar: Gustav Mustermann, max@beispiel.de" + " " * 300,
        "LZIP ist ein Format. Kontakt: max@beispiel.de",
    ],
)
def test_text_that_starts_like_a_format_is_text(text: str) -> None:
    result = file_text(text.encode(), "notiz.txt", None, LIMIT)
    assert (result.status, result.kind) == ("scanned", "text")


def test_an_upload_that_takes_too_long_to_read_is_unreadable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Checked between pages and members: no parser is interrupted, none starts late."""
    from extract.file_text import bounds
    from tests.extract.file_samples import pdf_bytes
    from tests.extract.hidden_archives import zip_member

    monkeypatch.setattr(bounds, "READ_SECONDS", -1.0)
    for name, data in (("a.pdf", pdf_bytes(["x"], pages=2)), ("a.zip", zip_member(EMAIL))):
        result = file_text(data, name, None, LIMIT)
        assert (result.status, result.why) == ("unreadable", "too_large"), name
        assert "not read within" in result.detail
