"""Bodies that do not parse: string literals decoded, the text between them kept; and
registry.read, which falls back to them."""

from __future__ import annotations

import codecs

import pytest

from extract.raw_json import MAX_PARTS, raw_parts, unescape
from extract.registry import read
from tests.extract.support import IBAN

IBAN_COMPACT = IBAN.replace(" ", "")


def escaped(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


@pytest.mark.parametrize(
    ("literal", "text"),
    [
        ("plain", "plain"),
        (escaped("DE89"), "DE89"),
        ('\\"zitiert\\" \\\\ \\/ \\n\\t', '"zitiert" \\ / \n\t'),
        ("\\ud83d\\ude00 Smiley", "😀 Smiley"),
        ("\\ud83d allein", "\ufffd allein"),
        ("\\x unbekannt", "x unbekannt"),
    ],
)
def test_unescape(literal: str, text: str) -> None:
    assert unescape(literal) == text


def test_literals_and_the_rest() -> None:
    text = (
        '{"konto": "' + escaped(IBAN_COMPACT) + '", "zahl": [4,1,1,1], "zeichen": ["D", "E"]}'
        ' garbage "offen'
    )
    pairs = [(p.location, p.text) for p in raw_parts(text)]
    assert pairs[:6] == [
        ("raw[0]", "konto"),
        ("raw[1]", IBAN_COMPACT),
        ("raw[2]", "zahl"),
        ("raw[3]", "zeichen"),
        ("raw[4]", "DE"),  # one-character literals run together
        ("raw[6]", "offen"),  # a literal cut off at the end
    ]
    assert pairs[6][0] == "raw" and "4 1 1 1" in pairs[6][1] and "garbage" in pairs[6][1]


def test_many_literals_are_grouped() -> None:
    text = ", ".join(f'"wert {i}"' for i in range(3 * MAX_PARTS))
    parts = raw_parts(text)
    assert len(parts) <= MAX_PARTS + 1
    assert "wert 0\nwert 1\nwert 2" in parts[0].text


@pytest.mark.parametrize(
    "body",
    [
        codecs.BOM_UTF8 + b'{"q": "' + escaped(IBAN).encode() + b'"',  # BOM and cut off
        b'{"q": "' + escaped(IBAN).encode() + b'"}\xff',  # one invalid byte
        b'{"q": "\\u0044\xff' + escaped(IBAN_COMPACT[1:]).encode() + b'"}',  # ... inside
        b'{"q": "' + escaped(IBAN).encode() + b'"} trailing garbage',
        b'{"q": "x", "q": "' + escaped(IBAN).encode() + b'"}',  # a key twice
        b"[" * 70 + b'"' + escaped(IBAN).encode() + b'"' + b"]" * 70,  # deeper than 64
        b"[" * 5000 + b'"' + escaped(IBAN).encode() + b'"' + b"]" * 5000,  # recursion
    ],
    ids=[
        "bom-cut",
        "invalid-byte",
        "invalid-byte-inside",
        "trailing",
        "duplicate",
        "deep",
        "deeper",
    ],
)
def test_read_falls_back_and_decodes(body: bytes) -> None:
    prompt, error = read("generic", body, "application/json")
    assert error is not None and error.startswith("unparsed_body: ")
    compact = [p.text.replace(" ", "") for p in prompt.parts]
    assert any(IBAN_COMPACT in text for text in compact)


def test_read_walks_json_a_dedicated_extractor_rejects() -> None:
    prompt, error = read(
        "openai_chat", b'{"messages": "kein Array", "note": "' + IBAN.encode() + b'"}'
    )
    assert error == "unparsed_body: messages: expected an array, got string"
    assert [(p.location, p.text) for p in prompt.parts] == [
        ("$.messages", "kein Array"),
        ("$.note", IBAN),
        ("${keys}", "messages, note"),
    ]


def test_read_of_utf16_json_is_the_extractor_s() -> None:
    body = '{"messages": [{"role": "user", "content": "Grüße"}]}'.encode("utf-16")
    prompt, error = read("openai_chat", body, "application/json; charset=utf-16")
    assert error is None
    assert [(p.location, p.text) for p in prompt.parts[prompt.residual :]] == [
        ("messages[0].content", "Grüße")
    ]
