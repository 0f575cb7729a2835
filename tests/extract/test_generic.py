"""The generic extractor: JSON leaves, form fields, multipart parts and files, text bodies;
locations never carry caller data."""

import base64
import json

import pytest

from extract.model import Api, ExtractError
from extract.registry import extract
from tests.extract.support import (
    BOUNDARY,
    MULTIPART,
    PDF_TEXT,
    PNG_BYTES,
    SECRET,
    UUID,
    WIRE,
    field,
    multipart,
    pairs,
    upload,
)

# --- generic: services without a dedicated extractor ---------------------------------------


CHATGPT_WEB = {
    "action": "next",
    "messages": [
        {
            "id": UUID,
            "author": {"role": "user"},
            "content": {"content_type": "text", "parts": ["Hallo Welt"]},
        }
    ],
    "parent_message_id": UUID,
    "model": "auto",
    "timezone_offset_min": -60,
    "history_and_training_disabled": False,
}
LETTER = "Sehr geehrter Herr Mustermann,\r\nIhre IBAN DE89 3704 0044 0532 0130 00.\n"

GENERIC: list[tuple[str, str | None, bytes, list[tuple[str, str]]]] = [
    (
        "chatgpt_web_json",
        "application/json",
        json.dumps(CHATGPT_WEB).encode(),
        [
            ("$.action", "next"),
            ("$.messages[0].content.content_type", "text"),
            ("$.messages[0].content.parts[0]", "Hallo Welt"),
            ("$.model", "auto"),
            ("$.timezone_offset_min", "-60"),
            (
                "${keys}",
                "action, messages, parent_message_id, model, timezone_offset_min, "
                "history_and_training_disabled, id, author, content, role, content_type, parts",
            ),
        ],
    ),
    (
        "json_odd_keys_by_position",
        "application/json; charset=utf-8",
        json.dumps(
            {
                "a b": "Wert eins",
                "x-trace": "abc",
                "erika@example.de": {"note": "Kundin seit 2019"},
                "n": 5,
                "ok": True,
                "none": None,
                "short": "x",
                "blank": "   ",
                "ü": "Umlaut-Schlüssel",
            }
        ).encode(),
        [
            ("$[#0]", "Wert eins"),
            ("$.x-trace", "abc"),
            ("$[#2].note", "Kundin seit 2019"),
            ("$.n", "5"),
            ("$.short", "x"),
            ("$[#8]", "Umlaut-Schlüssel"),
            # keys are data (an e-mail address): scanned in one part, never a location
            ("${keys}", "a b, x-trace, erika@example.de, n, ok, none, short, blank, ü, note"),
        ],
    ),
    (
        "json_top_level_array",
        "application/vnd.api+json",
        b'["eins", ["zwei", {"drei": "vier"}], 5]',
        [
            ("$[0]", "eins"),
            ("$[1][0]", "zwei"),
            ("$[1][1].drei", "vier"),
            ("$[2]", "5"),
            ("${keys}", "drei"),
        ],
    ),
    ("json_top_level_string", "application/json", b'"Nur Text"', [("$", "Nur Text")]),
    (
        "json_nested_json_string_stays_one_leaf",
        "application/json",
        json.dumps({"q": '{"name": "Max"}'}).encode(),
        [("$.q", '{"name": "Max"}'), ("${keys}", "q")],
    ),
    (
        "json_sniffed_without_content_type",
        None,
        b' \n {"prompt": "Hallo Herr M\\u00fcller"}',
        [("$.prompt", "Hallo Herr Müller"), ("${keys}", "prompt")],
    ),
    (
        "json_sniffed_in_text_plain",  # fetch() with a string body
        "text/plain;charset=UTF-8",
        b'[{"q": "Hallo"}]',
        [("$[0].q", "Hallo"), ("${keys}", "q")],
    ),
    ("braces_but_not_json_is_text", "text/plain", b"{Hallo} Welt", [("body", "{Hallo} Welt")]),
    (
        "deepl_form",
        "application/x-www-form-urlencoded",
        b"text=Sehr+geehrter+Herr+M%C3%BCller&target_lang=EN",
        [
            ("form.text", "Sehr geehrter Herr Müller"),
            ("form.target_lang", "EN"),
            ("form{keys}", "text, target_lang"),
        ],
    ),
    (
        "form_repeated_and_odd_names",
        "application/x-www-form-urlencoded; charset=UTF-8",
        b"text=Erster+Satz&text=Zweiter+Satz&f.req=%5B%22Frage%22%5D&x=1&empty=&Max+Mustermann=ja",
        [
            ("form.text", "Erster Satz"),
            ("form.text", "Zweiter Satz"),
            ("form[#2]", '["Frage"]'),
            ("form.x", "1"),
            ("form[#5]", "ja"),
            ("form{keys}", "text, f.req, x, empty, Max Mustermann"),
        ],
    ),
    (
        "form_declared_latin1",
        "application/x-www-form-urlencoded; charset=ISO-8859-1",
        b"name=M%FCller",
        [("form.name", "Müller"), ("form{keys}", "name")],
    ),
    (
        "form_type_but_json_body",  # a field without "=" is content, not a name
        "application/x-www-form-urlencoded",
        b'{"prompt": "Max Mustermann"}',
        [("form[#0]", '{"prompt": "Max Mustermann"}')],
    ),
    (
        "multipart_text_field_text_file_png",
        MULTIPART,
        multipart(
            (field("prompt"), "Bitte zusammenfassen für Herrn Müller".encode()),
            (upload("file", "Abmahnung_Max_Mustermann.txt", "text/plain"), LETTER.encode()),
            (upload("image", "Scan_Müller.png", "image/png"), PNG_BYTES),
        ),
        [
            ("multipart.prompt", "Bitte zusammenfassen für Herrn Müller"),
            ("multipart.file.filename", "Abmahnung_Max_Mustermann.txt"),
            ("multipart.file.content", LETTER),
            ("multipart.image.filename", "Scan_Müller.png"),
            ("multipart{keys}", "prompt, file, image"),
        ],
    ),
    (
        "multipart_undeclared_text_and_binary_files",
        MULTIPART,
        multipart(
            (
                upload("f", "kunden.csv", "application/vnd.ms-excel"),
                b"Name;IBAN\nM\xc3\xbcller;DE89",
            ),
            (upload("f", "a.docx", "application/octet-stream"), b"PK\x03\x04\x14\x00\x06\x00\xff"),
            (upload("f", "data.json", "application/json"), b'{"k": "v\xff"}'),
            (field("Kundin Erika"), b"Feldname ist Nutzerdaten"),
            ('Content-Disposition: form-data; name="bare"', b"ohne Content-Type"),
        ),
        [
            ("multipart.f.filename", "kunden.csv"),
            ("multipart.f.content", "Name;IBAN\nMüller;DE89"),
            ("multipart.f.filename", "a.docx"),
            ("multipart.f.filename", "data.json"),
            ("multipart.f.content", '{"k": "v\ufffd"}'),
            ("multipart[#3]", "Feldname ist Nutzerdaten"),
            ("multipart.bare", "ohne Content-Type"),
            ("multipart{keys}", "f, Kundin Erika, bare"),
        ],
    ),
    (
        "multipart_rfc2231_names",
        MULTIPART,
        multipart(
            (
                "Content-Disposition: form-data; name*=UTF-8''gr%C3%B6%C3%9Fe; "
                "filename*=UTF-8''%C3%84rger.txt\r\nContent-Type: text/plain; charset=utf-8",
                b"Inhalt",
            ),
        ),
        [
            ("multipart[#0].filename", "Ärger.txt"),
            ("multipart[#0].content", "Inhalt"),
            ("multipart{keys}", "größe"),
        ],
    ),
    (
        "plain_text",
        "text/plain; charset=utf-8",
        "Hallo Herr Müller".encode(),
        [("body", "Hallo Herr Müller")],
    ),
    (
        "text_declared_latin1",
        "text/plain; charset=iso-8859-1",
        "Grüße".encode("latin-1"),
        [("body", "Grüße")],
    ),
    (
        "unknown_charset_reads_utf8",
        "text/plain; charset=x-klingon",
        "Grüße".encode(),
        [("body", "Grüße")],
    ),
    ("no_content_type_text", None, b"Hallo Welt", [("body", "Hallo Welt")]),
    (
        "octet_stream_that_is_text",
        "application/octet-stream",
        b"Hallo Welt",
        [("body", "Hallo Welt")],
    ),
    (
        "ndjson_is_text",
        "application/x-ndjson",
        b'{"a": "bb"}\n{"a": "cc"}\n',
        [("body", '{"a": "bb"}\n{"a": "cc"}\n')],
    ),
    ("binary_png", "image/png", PNG_BYTES, []),
    ("binary_octet_stream", "application/octet-stream", b"\x00\x01\x02\xff\xfe", []),
    ("binary_valid_utf8_with_nul", "application/grpc", b"\x00\x00\x00\x00\x05hallo", []),
    ("binary_without_content_type", None, PNG_BYTES, []),
    ("empty_json", "application/json", b"", []),
    ("empty_multipart", MULTIPART, b"", []),
    (
        # Ids and blanks are left out (extract/coverage.py); a single character is
        # scanned (split values meet at the checker's seams).
        "ids_and_blanks_left_out",
        "application/json",
        json.dumps({"id": UUID, "c": "x", "t": " ", "u": f" {UUID.upper()} "}).encode(),
        [("$.c", "x"), ("${keys}", "id, c, t, u")],
    ),
]


@pytest.mark.parametrize(
    ("content_type", "body", "expected"), [g[1:] for g in GENERIC], ids=[g[0] for g in GENERIC]
)
def test_generic_extracts_text_with_its_location(
    content_type: str | None, body: bytes, expected: list[tuple[str, str]]
) -> None:
    prompt = extract("generic", body, content_type=content_type)
    assert prompt.api == "generic"
    assert prompt.stream is False
    assert pairs(prompt) == expected


@pytest.mark.parametrize(
    ("content_type", "body"), [g[1:3] for g in GENERIC], ids=[g[0] for g in GENERIC]
)
def test_generic_locations_never_carry_caller_data(content_type: str | None, body: bytes) -> None:
    # Locations go into the findings log: no file names, no odd keys or field names.
    for part in extract("generic", body, content_type=content_type).parts:
        assert not any(s in part.location for s in ("Mustermann", "Müller", "erika", "Erika", "ü"))
        if part.location.endswith(".filename"):
            assert part.text not in part.location


def test_generic_chatgpt_skips_ids_and_reports_model() -> None:
    prompt = extract("generic", json.dumps(CHATGPT_WEB).encode(), content_type="application/json")
    assert all(UUID not in p.text for p in prompt.parts)
    assert prompt.model == "auto"


@pytest.mark.parametrize(
    ("content_type", "body", "model"),
    [
        ("application/json", b'{"model": 4, "q": "Hallo"}', None),
        ("application/json", b'[{"model": "gpt-4o"}]', None),
        (None, b'{"model": "gpt-4o"}', "gpt-4o"),
        ("application/x-www-form-urlencoded", b"model=gpt-4o&q=Hallo", None),
        ("text/plain", b"model", None),
    ],
)
def test_generic_model_only_from_top_level_json_string(
    content_type: str | None, body: bytes, model: str | None
) -> None:
    assert extract("generic", body, content_type=content_type).model == model


def test_content_type_does_not_change_provider_extractors() -> None:
    body = json.dumps({"messages": [{"role": "user", "content": "Hallo"}]}).encode()
    expected = extract("openai_chat", body)
    assert extract("openai_chat", body, content_type="multipart/form-data") == expected
    assert extract("openai_chat", body, "text/plain") == expected


GENERIC_MALFORMED: list[tuple[str, str | None, bytes, str]] = [
    (
        "json_claimed_but_broken",
        "application/json",
        b'{"prompt": "' + SECRET.encode(),
        "not JSON",
    ),
    (
        "json_claimed_invalid_utf8",
        "application/json",
        b'{"p": "\xff' + SECRET.encode() + b'"}',
        "UTF-8",
    ),
    (
        "json_duplicate_keys",
        "application/json; charset=utf-8",
        f'{{"q": "a", "q": "{SECRET}"}}'.encode(),
        "duplicate key",
    ),
    ("json_too_deep_for_walk", "application/json", b"[" * 100 + b"]" * 100, "nested too deeply"),
    (
        "json_too_deep_for_parser",
        "application/json",
        b"[" * 100_000 + b"]" * 100_000,
        "nested too deeply",
    ),
    ("text_invalid_utf8", "text/plain", b"Gr\xfc\xdfe " + SECRET.encode(), "not valid UTF-8"),
    (
        "form_invalid_utf8",
        "application/x-www-form-urlencoded",
        b"q=" + SECRET.encode() + b"\xff",
        "form body is not valid utf-8",
    ),
    (
        "multipart_without_boundary_parameter",
        "multipart/form-data",
        multipart((field("q"), SECRET.encode())),
        "multipart body is malformed",
    ),
    (
        "multipart_wrong_boundary",
        "multipart/form-data; boundary=other",
        multipart((field("q"), SECRET.encode())),
        "StartBoundaryNotFound",
    ),
    (
        "multipart_truncated",
        MULTIPART,
        multipart((field("q"), SECRET.encode()), close=False),
        "CloseBoundaryNotFound",
    ),
    ("multipart_garbage", MULTIPART, SECRET.encode(), "multipart body is malformed"),
    (
        "multipart_header_injection",
        f"multipart/form-data; boundary={BOUNDARY}\r\nX-Evil: 1",
        multipart((field("q"), SECRET.encode())),
        "content type is malformed",
    ),
]


@pytest.mark.parametrize(
    ("content_type", "body", "reason"),
    [m[1:] for m in GENERIC_MALFORMED],
    ids=[m[0] for m in GENERIC_MALFORMED],
)
def test_generic_malformed_body_raises_extract_error(
    content_type: str | None, body: bytes, reason: str
) -> None:
    with pytest.raises(ExtractError) as info:
        extract("generic", body, content_type=content_type)
    assert reason in str(info.value)
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("content_type", [None, "text/plain"])
@pytest.mark.parametrize("depth", [100, 100_000])
def test_generic_deep_sniffed_json_is_scanned_as_text(content_type: str | None, depth: int) -> None:
    body = b"[" * depth + b'"M\xc3\xbcller"' + b"]" * depth
    prompt = extract("generic", body, content_type=content_type)
    assert pairs(prompt) == [("body", body.decode())]


def test_generic_json_at_depth_limit_is_walked() -> None:
    body = b"[" * 64 + b'"Tief"' + b"]" * 64
    prompt = extract("generic", body, content_type="application/json")
    assert pairs(prompt) == [("$" + "[0]" * 64, "Tief")]


def test_generic_deeply_nested_multipart_is_an_error_not_a_crash() -> None:
    body = b"".join(
        f"--b{i}\r\nContent-Type: multipart/mixed; boundary=b{i + 1}\r\n\r\n".encode()
        for i in range(5000)
    )
    with pytest.raises(ExtractError):
        extract("generic", body, content_type="multipart/mixed; boundary=b0")


def test_generic_nested_multipart_parts_are_numbered() -> None:
    inner = (
        b"--inner\r\nContent-Type: text/plain\r\n\r\nerste Datei\r\n"
        b"--inner\r\nContent-Type: text/plain\r\n\r\nzweite Datei\r\n--inner--"
    )
    body = multipart((f"{field('files')}\r\nContent-Type: multipart/mixed; boundary=inner", inner))
    prompt = extract("generic", body, content_type=MULTIPART)
    assert pairs(prompt) == [
        ("multipart.files[0]", "erste Datei"),
        ("multipart.files[1]", "zweite Datei"),
        ("multipart{keys}", "files"),
    ]


def test_generic_large_json_body_is_extracted_whole() -> None:
    text = "Zeile mit Daten. " * 300_000  # ~5 MB
    items = [{"id": UUID, "text": f"Eintrag {i}"} for i in range(20_000)]
    body = json.dumps({"prompt": text, "items": items}).encode()
    prompt = extract("generic", body, content_type="application/json")
    assert (prompt.parts[0].location, prompt.parts[0].text) == ("$.prompt", text)
    assert len(prompt.parts) == 1 + 20_000 + 1  # the prompt, every text, the keys
    assert (prompt.parts[-2].location, prompt.parts[-2].text) == (
        "$.items[19999].text",
        "Eintrag 19999",
    )
    assert (prompt.parts[-1].location, prompt.parts[-1].text) == (
        "${keys}",
        "prompt, items, id, text",
    )


def test_generic_binary_upload_goes_to_file_text() -> None:
    pdf = base64.b64decode(
        json.loads((WIRE / "anthropic_messages_documents.json").read_text())["messages"][0][
            "content"
        ][1]["source"]["data"]
    )
    body = multipart(
        (upload("file", "Kontoauszug.pdf", "application/pdf"), pdf),
        (upload("file", "scan.png", "image/png"), PNG_BYTES),
    )
    prompt = extract("generic", body, content_type=MULTIPART)
    assert pairs(prompt) == [
        ("multipart.file.filename", "Kontoauszug.pdf"),
        ("multipart.file.content", PDF_TEXT),
        ("multipart.file.filename", "scan.png"),
        ("multipart{keys}", "file"),
    ]
    assert prompt.unscanned == ("multipart.file.content",)
    raw = extract("generic", pdf, content_type="application/pdf")
    assert (pairs(raw), raw.unscanned) == ([("body", PDF_TEXT)], ())
    assert extract("generic", PNG_BYTES, content_type="image/png").unscanned == ("body",)


@pytest.mark.parametrize("api", ["generic", "huggingchat", "poe_upload", "m365_upload"])
@pytest.mark.parametrize("content_type", ["MULTIPART/0;0*", "multipart/form-data; boundary=x;0*"])
def test_multipart_type_the_stdlib_cannot_parse_is_an_extract_error(
    api: Api, content_type: str
) -> None:
    """Found by fuzzing: email's header parser raised IndexError/HeaderParseError (the
    guard then answered with its internal-error fail mode instead of scanning the body)."""
    with pytest.raises(ExtractError, match="multipart content type is malformed"):
        extract(api, b"Max Mustermann", content_type)
