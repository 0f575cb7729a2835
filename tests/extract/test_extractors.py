"""extract() and match_endpoint(): every prompt shape yields its text, bad bodies fail cleanly."""

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from extract.model import Api, ExtractError, Prompt, TextPart
from extract.path import ROOT
from extract.registry import extract, match_endpoint

IBAN = "DE89 3704 0044 0532 0130 00"
PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"


def run(api: Api, body: dict[str, Any]) -> Prompt:
    return extract(api, json.dumps(body).encode())


def pairs(prompt: Prompt) -> list[tuple[str, str]]:
    return [(p.location, p.text) for p in prompt.parts]


# --- request shapes as clients send them -----------------------------------------------

SHAPES: list[tuple[str, Api, dict[str, Any], list[tuple[str, str]]]] = [
    (
        "chat_plain_strings",
        "openai_chat",
        {
            "model": "gpt-4o",
            "messages": [
                {"role": "system", "content": "Du bist ein hilfreicher Assistent."},
                {"role": "user", "content": f"Meine IBAN ist {IBAN}"},
            ],
        },
        [
            ("messages[0].content", "Du bist ein hilfreicher Assistent."),
            ("messages[1].content", f"Meine IBAN ist {IBAN}"),
        ],
    ),
    (
        "chat_content_parts_skip_image",
        "openai_chat",
        {
            "model": "gpt-4o",
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Was steht auf dem Bild?"},
                        {"type": "image_url", "image_url": {"url": PNG, "detail": "low"}},
                        {"type": "input_text", "text": "Herr Müller, Hauptstraße 5"},
                        {"type": "input_audio", "input_audio": {"data": "UklGR", "format": "wav"}},
                    ],
                }
            ],
        },
        [
            ("messages[0].content[0].text", "Was steht auf dem Bild?"),
            ("messages[0].content[2].text", "Herr Müller, Hauptstraße 5"),
        ],
    ),
    (
        "chat_tools_names_and_results",
        "openai_chat",
        {
            "model": "gpt-4o-mini",
            "messages": [
                {"role": "developer", "content": "Antworte knapp.", "name": "ops_team"},
                {"role": "user", "content": "Suche Kunde", "name": "erika_mustermann"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_abc",
                            "type": "function",
                            "function": {
                                "name": "lookup",
                                "arguments": '{"email": "erika@example.de"}',
                            },
                        }
                    ],
                },
                {"role": "tool", "tool_call_id": "call_abc", "content": f"IBAN: {IBAN}"},
                {
                    "role": "tool",
                    "tool_call_id": "call_def",
                    "content": [{"type": "text", "text": "Telefon 030 1234567"}],
                },
                {"role": "assistant", "content": "Gefunden.", "refusal": None},
            ],
        },
        [
            ("messages[0].content", "Antworte knapp."),
            ("messages[0].name", "ops_team"),
            ("messages[1].content", "Suche Kunde"),
            ("messages[1].name", "erika_mustermann"),
            ("messages[2].tool_calls[0].function.arguments", '{"email": "erika@example.de"}'),
            ("messages[3].content", f"IBAN: {IBAN}"),
            ("messages[4].content[0].text", "Telefon 030 1234567"),
            ("messages[5].content", "Gefunden."),
        ],
    ),
    (
        "chat_legacy_function_call_and_refusal",
        "openai_chat",
        {
            "model": "gpt-3.5-turbo",
            "messages": [
                {
                    "role": "assistant",
                    "content": None,
                    "function_call": {"name": "f", "arguments": '{"name": "Max"}'},
                },
                {"role": "function", "name": "f", "content": "Max Mustermann, 1970"},
                {"role": "assistant", "content": [{"type": "refusal", "refusal": "Nein, Max."}]},
            ],
        },
        [
            ("messages[0].function_call.arguments", '{"name": "Max"}'),
            ("messages[1].content", "Max Mustermann, 1970"),
            ("messages[1].name", "f"),
            ("messages[2].content[0].refusal", "Nein, Max."),
        ],
    ),
    (
        "chat_empty_texts_skipped",
        "openai_chat",
        {
            "model": "gpt-4o",
            "messages": [
                {"role": "user", "content": ""},
                {"role": "user", "content": [{"type": "text", "text": ""}]},
                {"role": "assistant", "content": "   \n"},
                {"role": "user", "content": "nur das"},
            ],
        },
        [("messages[3].content", "nur das")],
    ),
    (
        "responses_string_input_and_instructions",
        "openai_responses",
        {"model": "gpt-4.1", "instructions": "Sei freundlich.", "input": f"IBAN {IBAN}"},
        [("instructions", "Sei freundlich."), ("input", f"IBAN {IBAN}")],
    ),
    (
        "responses_item_list",
        "openai_responses",
        {
            "model": "gpt-4.1",
            "input": [
                {"role": "developer", "content": "Regeln: keine Namen."},
                {
                    "type": "message",
                    "role": "user",
                    "content": [
                        {"type": "input_text", "text": "Rechnung für Frau Schmidt"},
                        {"type": "input_image", "image_url": PNG},
                        {"type": "input_file", "filename": "schmidt.pdf", "file_data": "JVBER"},
                    ],
                },
                {
                    "type": "message",
                    "role": "assistant",
                    "id": "msg_1",
                    "status": "completed",
                    "content": [{"type": "output_text", "text": "Gern.", "annotations": []}],
                },
                {
                    "type": "function_call",
                    "call_id": "call_1",
                    "name": "crm",
                    "arguments": '{"q": "Schmidt"}',
                },
                {"type": "function_call_output", "call_id": "call_1", "output": "Tel. 0171 555"},
                {
                    "type": "function_call_output",
                    "call_id": "call_2",
                    "output": [{"type": "input_text", "text": "Geburtstag 01.02.1980"}],
                },
                {
                    "type": "reasoning",
                    "id": "rs_1",
                    "summary": [{"type": "summary_text", "text": "Nutzer fragt nach Schmidt"}],
                    "encrypted_content": "gAAAAB",
                },
                {"type": "custom_tool_call", "call_id": "c3", "name": "sh", "input": "grep Max"},
                {"type": "item_reference", "id": "msg_0"},
            ],
        },
        [
            ("input[0].content", "Regeln: keine Namen."),
            ("input[1].content[0].text", "Rechnung für Frau Schmidt"),
            ("input[1].content[2].filename", "schmidt.pdf"),
            ("input[2].content[0].text", "Gern."),
            ("input[3].arguments", '{"q": "Schmidt"}'),
            ("input[4].output", "Tel. 0171 555"),
            ("input[5].output[0].text", "Geburtstag 01.02.1980"),
            ("input[6].summary[0].text", "Nutzer fragt nach Schmidt"),
            ("input[7].input", "grep Max"),
        ],
    ),
    (
        "responses_previous_response_only",
        "openai_responses",
        {"model": "gpt-4.1", "previous_response_id": "resp_123"},
        [],
    ),
    (
        "responses_prompt_template_variables",
        "openai_responses",
        {
            "model": "gpt-4.1",
            "prompt": {
                "id": "pmpt_1",
                "variables": {
                    "kunde": "Erika Mustermann",
                    "notiz": {"type": "input_text", "text": "Kto. 1234"},
                },
            },
        },
        [("prompt.variables[0]", "Erika Mustermann"), ("prompt.variables[1].text", "Kto. 1234")],
    ),
    (
        "anthropic_plain_strings",
        "anthropic_messages",
        {
            "model": "claude-sonnet-4-5",
            "max_tokens": 1024,
            "system": "Du bist Claude.",
            "messages": [{"role": "user", "content": f"Überweise an {IBAN}"}],
        },
        [("system", "Du bist Claude."), ("messages[0].content", f"Überweise an {IBAN}")],
    ),
    (
        "anthropic_blocks_tools_documents",
        "anthropic_messages",
        {
            "model": "claude-sonnet-4-5",
            "max_tokens": 1024,
            "system": [
                {"type": "text", "text": "System A", "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": "System B"},
            ],
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Lies das:"},
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/png", "data": "iV"},
                        },
                        {
                            "type": "document",
                            "title": "Personalakte",
                            "source": {
                                "type": "text",
                                "media_type": "text/plain",
                                "data": "Name: Jörg Müller",
                            },
                        },
                        {
                            "type": "document",
                            "source": {
                                "type": "base64",
                                "media_type": "application/pdf",
                                "data": "J",
                            },
                        },
                    ],
                },
                {
                    "role": "assistant",
                    "content": [
                        {"type": "thinking", "thinking": "Er will Jörg finden.", "signature": "s"},
                        {"type": "text", "text": "Ich suche."},
                        {
                            "type": "tool_use",
                            "id": "toolu_1",
                            "name": "crm",
                            "input": {"name": "Jörg Müller", "plz": 10115},
                        },
                    ],
                },
                {
                    "role": "user",
                    "content": [
                        {"type": "tool_result", "tool_use_id": "toolu_1", "content": "Tel 030 99"},
                        {
                            "type": "tool_result",
                            "tool_use_id": "toolu_2",
                            "content": [
                                {"type": "text", "text": f"IBAN {IBAN}"},
                                {"type": "image", "source": {"type": "url", "url": "https://x"}},
                            ],
                        },
                        {"type": "tool_result", "tool_use_id": "toolu_3", "is_error": True},
                    ],
                },
            ],
        },
        [
            ("system[0].text", "System A"),
            ("system[1].text", "System B"),
            ("messages[0].content[0].text", "Lies das:"),
            ("messages[0].content[2].title", "Personalakte"),
            ("messages[0].content[2].source.data", "Name: Jörg Müller"),
            ("messages[1].content[0].thinking", "Er will Jörg finden."),
            ("messages[1].content[1].text", "Ich suche."),
            ("messages[1].content[2].input", '{"name": "Jörg Müller", "plz": 10115}'),
            ("messages[2].content[0].content", "Tel 030 99"),
            ("messages[2].content[1].content[0].text", f"IBAN {IBAN}"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("api", "body", "expected"), [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES]
)
def test_extracts_every_text_with_its_location(
    api: Api, body: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    prompt = run(api, body)
    assert prompt.api == api
    assert pairs(prompt) == expected


def test_parts_are_hashable_value_objects() -> None:
    prompt = run("openai_chat", {"model": "m", "messages": [{"role": "user", "content": "hi"}]})
    assert prompt.parts == (TextPart(ROOT.key("messages").index(0).key("content"), "hi"),)
    assert prompt.parts[0].location == "messages[0].content"
    assert isinstance(prompt.parts, tuple)
    assert hash(prompt)


# --- stream flag and model -------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "stream"),
    [
        ({"stream": True}, True),
        ({"stream": False}, False),
        ({}, False),
        ({"stream": "true"}, False),
        ({"stream": 1}, False),
        ({"stream": None}, False),
    ],
)
@pytest.mark.parametrize("api", ["openai_chat", "openai_responses", "anthropic_messages"])
def test_stream_only_when_json_true(api: Api, extra: dict[str, Any], stream: bool) -> None:
    body = {"model": "m", "messages": [], "input": "x"} | extra
    assert run(api, body).stream is stream


@pytest.mark.parametrize(("body", "model"), [({"model": "gpt-4o"}, "gpt-4o"), ({}, None)])
def test_model_is_reported(body: dict[str, Any], model: str | None) -> None:
    assert run("openai_chat", {"messages": []} | body).model == model


# --- malformed bodies ------------------------------------------------------------------

SECRET = "GEHEIM-4711"

MALFORMED: list[tuple[str, Api, bytes, str]] = [
    ("empty", "openai_chat", b"", "empty"),
    ("invalid_json", "openai_chat", b'{"messages": [' + SECRET.encode(), "not JSON"),
    ("json_array", "openai_chat", b"[1, 2]", "JSON object, not array"),
    ("json_string", "anthropic_messages", f'"{SECRET}"'.encode(), "not string"),
    ("json_null", "openai_responses", b"null", "not null"),
    ("invalid_utf8", "openai_chat", b'{"messages": "\xff\xfe"}', "UTF-8"),
    ("utf16_body", "openai_chat", '{"messages": []}'.encode("utf-16"), "UTF-8"),
    ("messages_missing", "openai_chat", b'{"model": "gpt-4o"}', "messages: required"),
    (
        "messages_not_list",
        "openai_chat",
        b'{"messages": {"role": "user"}}',
        "messages: expected an array",
    ),
    (
        "message_not_object",
        "openai_chat",
        b'{"messages": ["hi"]}',
        "messages[0]: expected an object",
    ),
    (
        "content_int",
        "openai_chat",
        b'{"messages": [{"role": "user", "content": 42}]}',
        "messages[0].content: expected a string or an array, got number",
    ),
    (
        "part_text_not_string",
        "openai_chat",
        b'{"messages": [{"role": "user", "content": [{"type": "text", "text": ["a"]}]}]}',
        "messages[0].content[0].text: expected a string, got array",
    ),
    (
        "name_not_string",
        "openai_chat",
        b'{"messages": [{"role": "user", "content": "x", "name": 7}]}',
        "messages[0].name: expected a string",
    ),
    (
        "tool_calls_not_list",
        "openai_chat",
        b'{"messages": [{"role": "assistant", "tool_calls": "call"}]}',
        "messages[0].tool_calls: expected an array",
    ),
    (
        "model_not_string",
        "openai_chat",
        b'{"model": 4, "messages": []}',
        "model: expected a string",
    ),
    ("input_not_list", "openai_responses", b'{"input": 5}', "input: expected a string or an array"),
    ("instructions_object", "openai_responses", b'{"instructions": {}}', "instructions"),
    (
        "responses_item_not_object",
        "openai_responses",
        f'{{"input": ["{SECRET}"]}}'.encode(),
        "input[0]: expected an object",
    ),
    ("anthropic_system_int", "anthropic_messages", b'{"system": 1, "messages": []}', "system"),
    (
        "anthropic_block_not_object",
        "anthropic_messages",
        f'{{"messages": [{{"role": "user", "content": ["{SECRET}"]}}]}}'.encode(),
        "messages[0].content[0]: expected an object",
    ),
    (
        "duplicate_keys",
        "openai_chat",
        f'{{"messages": [], "messages": [{{"role": "user", "content": "{SECRET}"}}]}}'.encode(),
        "duplicate key",
    ),
    (
        "huge_integer",
        "openai_chat",
        b'{"messages": [], "n": ' + b"9" * 5000 + b"}",
        "number too large",
    ),
]


@pytest.mark.parametrize(
    ("api", "body", "reason"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_body_raises_extract_error(api: Api, body: bytes, reason: str) -> None:
    with pytest.raises(ExtractError) as info:
        extract(api, body)
    assert reason in str(info.value)
    assert SECRET not in str(info.value)  # errors get logged: never echo the body


def test_extract_error_is_a_value_error() -> None:
    assert issubclass(ExtractError, ValueError)


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_deeply_nested_json_is_an_error_not_a_crash(depth: int) -> None:
    nested = b"[" * depth + b"]" * depth
    with pytest.raises(ExtractError, match="nested too deeply"):
        extract("openai_chat", b'{"messages": ' + nested + b"}")


def test_deep_tool_input_is_scanned_or_rejected_never_crashes() -> None:
    # Shallow enough for json.loads, so the JSON re-serialisation must cope.
    nested = "[" * 5000 + '"Müller"' + "]" * 5000
    block = f'{{"type": "tool_use", "id": "t", "name": "n", "input": {{"a": {nested}}}}}'
    body = f'{{"messages": [{{"role": "assistant", "content": [{block}]}}]}}'.encode()
    try:
        prompt = extract("anthropic_messages", body)
    except ExtractError:
        return
    assert "Müller" in prompt.parts[0].text


def test_nested_tool_results_are_bounded() -> None:
    block: dict[str, Any] = {"type": "text", "text": "innen"}
    for _ in range(50):
        block = {"type": "tool_result", "tool_use_id": "t", "content": [block]}
    with pytest.raises(ExtractError, match="nested too deeply"):
        run("anthropic_messages", {"messages": [{"role": "user", "content": [block]}]})


def test_large_body_is_extracted_whole() -> None:
    text = "Zeile mit Daten. " * 300_000  # ~5 MB
    prompt = run("openai_chat", {"messages": [{"role": "user", "content": text}]})
    assert prompt.parts[0].text == text


# --- endpoint matching -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "method", "path", "api"),
    [
        ("openai", "POST", "/v1/chat/completions", "openai_chat"),
        ("openai", "post", "/v1/chat/completions", "openai_chat"),
        ("openai", "POST", "/v1/responses", "openai_responses"),
        ("openai", "POST", "/v1/responses?stream=true", "openai_responses"),
        ("openai", "POST", "/openai/v1/chat/completions?api-version=2024", "openai_chat"),
        ("openai", "POST", "/v1/chat/completions/", "openai_chat"),
        ("openai", "POST", "/v1//chat/completions", "openai_chat"),
        ("openai", "POST", "/v1/chat/%63ompletions", "openai_chat"),
        ("anthropic", "POST", "/v1/messages", "anthropic_messages"),
        ("anthropic", "POST", "/v1/messages?beta=true", "anthropic_messages"),
        ("anthropic", "POST", "/api/anthropic/v1/messages", "anthropic_messages"),
        ("openai", "GET", "/v1/chat/completions", None),
        ("openai", "DELETE", "/v1/files/file-1", None),
        ("openai", "PUT", "/v1/uploads/up_1/parts", "generic"),
        ("anthropic", "GET", "/v1/messages", None),
        ("openai", "POST", "/v1/models", "generic"),
        ("openai", "POST", "/v1/embeddings", "openai_embeddings"),
        ("openai", "GET", "/v1/responses/resp_123", None),
        ("openai", "POST", "/v1/responses/resp_123/cancel", "generic"),
        ("anthropic", "POST", "/v1/messages/count_tokens", "generic"),
        ("anthropic", "POST", "/v1/messages/batches", "generic"),
        ("openai", "POST", "/v1/messages", "generic"),
        ("anthropic", "POST", "/v1/chat/completions", "generic"),
        ("gemini", "POST", "/v1/chat/completions", "generic"),
        ("openai", "POST", "/", "generic"),
    ],
)
def test_match_endpoint(family: str, method: str, path: str, api: Api | None) -> None:
    assert match_endpoint(family, method, path) == api


# --- generic: services without a dedicated extractor ---------------------------------------

UUID = "5f1c2d3e-aaaa-4bbb-8ccc-123456789abc"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\xff\xd8"
BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(*parts: tuple[str, bytes], close: bool = True) -> bytes:
    """A multipart body as browsers send it: (headers, content) per part."""
    body = b"".join(
        f"--{BOUNDARY}\r\n{headers}\r\n\r\n".encode() + content + b"\r\n"
        for headers, content in parts
    )
    return body + (f"--{BOUNDARY}--\r\n".encode() if close else b"")


def field(name: str) -> str:
    return f'Content-Disposition: form-data; name="{name}"'


def upload(name: str, filename: str, content_type: str) -> str:
    disposition = f'Content-Disposition: form-data; name="{name}"; filename="{filename}"'
    return f"{disposition}\r\nContent-Type: {content_type}"


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
            ("$.messages[0].author.role", "user"),
            ("$.messages[0].content.content_type", "text"),
            ("$.messages[0].content.parts[0]", "Hallo Welt"),
            ("$.model", "auto"),
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
            ("$[#8]", "Umlaut-Schlüssel"),
        ],
    ),
    (
        "json_top_level_array",
        "application/vnd.api+json",
        b'["eins", ["zwei", {"drei": "vier"}], 5]',
        [("$[0]", "eins"), ("$[1][0]", "zwei"), ("$[1][1].drei", "vier")],
    ),
    ("json_top_level_string", "application/json", b'"Nur Text"', [("$", "Nur Text")]),
    (
        "json_nested_json_string_stays_one_leaf",
        "application/json",
        json.dumps({"q": '{"name": "Max"}'}).encode(),
        [("$.q", '{"name": "Max"}')],
    ),
    (
        "json_sniffed_without_content_type",
        None,
        b' \n {"prompt": "Hallo Herr M\\u00fcller"}',
        [("$.prompt", "Hallo Herr Müller")],
    ),
    (
        "json_sniffed_in_text_plain",  # fetch() with a string body
        "text/plain;charset=UTF-8",
        b'[{"q": "Hallo"}]',
        [("$[0].q", "Hallo")],
    ),
    ("braces_but_not_json_is_text", "text/plain", b"{Hallo} Welt", [("body", "{Hallo} Welt")]),
    (
        "deepl_form",
        "application/x-www-form-urlencoded",
        b"text=Sehr+geehrter+Herr+M%C3%BCller&target_lang=EN",
        [("form.text", "Sehr geehrter Herr Müller"), ("form.target_lang", "EN")],
    ),
    (
        "form_repeated_and_odd_names",
        "application/x-www-form-urlencoded; charset=UTF-8",
        b"text=Erster+Satz&text=Zweiter+Satz&f.req=%5B%22Frage%22%5D&x=1&empty=&Max+Mustermann=ja",
        [
            ("form.text", "Erster Satz"),
            ("form.text", "Zweiter Satz"),
            ("form[#2]", '["Frage"]'),
            ("form[#5]", "ja"),
        ],
    ),
    (
        "form_declared_latin1",
        "application/x-www-form-urlencoded; charset=ISO-8859-1",
        b"name=M%FCller",
        [("form.name", "Müller")],
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
        [("multipart[#0].filename", "Ärger.txt"), ("multipart[#0].content", "Inhalt")],
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
        "only_ids_and_single_chars",
        "application/json",
        json.dumps({"id": UUID, "c": "x", "t": " ", "u": f" {UUID.upper()} "}).encode(),
        [],
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
    ("text_invalid_utf8", "text/plain", b"\xff\xfe" + SECRET.encode(), "not valid UTF-8"),
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
    ]


def test_generic_large_json_body_is_extracted_whole() -> None:
    text = "Zeile mit Daten. " * 300_000  # ~5 MB
    items = [{"id": UUID, "text": f"Eintrag {i}"} for i in range(20_000)]
    body = json.dumps({"prompt": text, "items": items}).encode()
    prompt = extract("generic", body, content_type="application/json")
    assert (prompt.parts[0].location, prompt.parts[0].text) == ("$.prompt", text)
    assert len(prompt.parts) == 1 + 20_000
    assert (prompt.parts[-1].location, prompt.parts[-1].text) == (
        "$.items[19999].text",
        "Eintrag 19999",
    )


@pytest.mark.parametrize(
    ("method", "api"),
    [
        ("POST", "generic"),
        ("PUT", "generic"),
        ("patch", "generic"),
        ("GET", None),
        ("HEAD", None),
        ("DELETE", None),
        ("OPTIONS", None),
    ],
)
@pytest.mark.parametrize("path", ["/backend-api/conversation", "/", "/v1/translate?x=1", ""])
def test_match_endpoint_generic(method: str, path: str, api: Api | None) -> None:
    assert match_endpoint("generic", method, path) == api


# --- provider wire fixtures (fixtures/wire, see its README) --------------------------------

WIRE = Path(__file__).parent / "fixtures" / "wire"
PDF_TEXT = f"Kontoinhaber Erika Mustermann IBAN {IBAN}"
CSV_TEXT = f"Name;IBAN\nMax Mustermann;{IBAN}\n"

# (fixture, family, path, api, stream, model, parts, unscanned)
WIRE_CASES: list[
    tuple[str, str, str, Api, bool, str | None, list[tuple[str, str]], tuple[str, ...]]
] = [
    (
        "openai_chat_completions.json",
        "openai",
        "/v1/chat/completions",
        "openai_chat",
        True,
        "gpt-4o-mini",
        [
            ("messages[0].content", "Du bist ein Assistent für die Buchhaltung."),
            (
                "messages[1].content[0].text",
                f"Bitte prüfe die Überweisung an Erika Mustermann, IBAN {IBAN}.",
            ),
            ("messages[1].content[2].file.filename", "Kontoauszug.pdf"),
            ("messages[1].content[2].file.file_data", PDF_TEXT),
        ],
        ("messages[1].content[1].image_url.url",),
    ),
    (
        "azure_chat_completions.json",
        "openai",
        "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
        "openai_chat",
        False,
        None,
        [("messages[0].content", f"Mahnung an Max Mustermann, IBAN {IBAN}")],
        (),
    ),
    (
        "openai_responses_input_file.json",
        "openai",
        "/v1/responses",
        "openai_responses",
        True,
        "gpt-4.1",
        [
            ("instructions", "Fasse Dokumente knapp zusammen."),
            ("input[0].content[0].text", "Was steht in den Anhängen?"),
            ("input[0].content[1].filename", "kunden.csv"),
            ("input[0].content[1].file_data", CSV_TEXT),
            ("input[0].content[2].filename", "Kontoauszug.pdf"),
            ("input[0].content[2].file_data", PDF_TEXT),
        ],
        ("input[0].content[3].image_url",),
    ),
    (
        "openai_completions_legacy.json",
        "openai",
        "/v1/completions",
        "openai_completions",
        True,
        "gpt-3.5-turbo-instruct",
        [
            ("prompt[0]", f"Brief an Erika Mustermann wegen IBAN {IBAN}:"),
            ("suffix", "Mit freundlichen Grüßen"),
        ],
        (),
    ),
    (
        "openai_embeddings.json",
        "openai",
        "/v1/embeddings",
        "openai_embeddings",
        False,
        "text-embedding-3-small",
        [("input[0]", "Erika Mustermann, Hauptstraße 5, Berlin"), ("input[1]", f"IBAN {IBAN}")],
        (),
    ),
    (
        "ollama_chat.json",
        "ollama",
        "/api/chat",
        "ollama_chat",
        True,  # Ollama streams unless "stream": false
        "llama3.1:8b",
        [
            ("messages[0].content", "Antworte auf Deutsch."),
            ("messages[1].content", f"Erstelle eine Rechnung für Max Mustermann, IBAN {IBAN}"),
            ("messages[2].tool_calls[0].function.arguments", '{"name": "Max Mustermann"}'),
            ("messages[3].content", "Kunde seit 2019"),
        ],
        ("messages[1].images[0]",),
    ),
    (
        "ollama_generate.json",
        "openai",  # Ollama's native API behind an OpenAI-compatible host
        "/api/generate",
        "ollama_generate",
        False,
        "mistral:7b",
        [
            ("system", "Du bist ein Sachbearbeiter."),
            ("prompt", f"Schreibe eine Zahlungserinnerung an Erika Mustermann (IBAN {IBAN})."),
        ],
        (),
    ),
    (
        "anthropic_messages_documents.json",
        "anthropic",
        "/v1/messages",
        "anthropic_messages",
        True,
        "claude-sonnet-4-20250514",
        [
            ("system[0].text", "Du prüfst Verträge."),
            ("messages[0].content[0].title", "Vertrag"),
            ("messages[0].content[0].source.data", f"Vertragspartner: Max Mustermann, IBAN {IBAN}"),
            ("messages[0].content[1].source.data", PDF_TEXT),
            ("messages[0].content[4].text", "Fasse beide Dokumente zusammen."),
        ],
        ("messages[0].content[2].source.data",),  # the URL image is a reference
    ),
    (
        "gemini_generate_content.json",
        "gemini",
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
        "gemini_generate",
        False,  # streaming is in the path, which extract() does not see
        None,  # so is the model
        [
            ("systemInstruction.parts[0].text", "Antworte als Steuerberater."),
            (
                "contents[0].parts[0].text",
                f"Prüfe die Lastschrift von Erika Mustermann, IBAN {IBAN}.",
            ),
            ("contents[0].parts[1].inlineData.data", CSV_TEXT),
            ("contents[0].parts[2].inline_data.data", PDF_TEXT),
            ("contents[1].parts[0].functionCall.args", '{"owner": "Erika Mustermann"}'),
            ("contents[2].parts[0].functionResponse.response", '{"balance": "1.234,56 EUR"}'),
        ],
        ("contents[0].parts[3].inlineData.data",),
    ),
]


@pytest.mark.parametrize(
    ("name", "family", "path", "api", "stream", "model", "expected", "unscanned"),
    WIRE_CASES,
    ids=[c[0] for c in WIRE_CASES],
)
def test_wire_fixture_yields_exact_parts(
    name: str,
    family: str,
    path: str,
    api: Api,
    stream: bool,
    model: str | None,
    expected: list[tuple[str, str]],
    unscanned: tuple[str, ...],
) -> None:
    assert match_endpoint(family, "POST", path) == api
    prompt = extract(api, (WIRE / name).read_bytes(), "application/json")
    assert prompt.api == api
    assert pairs(prompt) == expected
    assert prompt.unscanned == unscanned
    assert (prompt.stream, prompt.model) == (stream, model)


@pytest.mark.parametrize(
    ("family", "path", "api"),
    [
        (
            "openai",
            "/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21",
            "openai_chat",
        ),
        ("openai", "/openai/deployments/my-gpt4o/completions", "openai_completions"),
        (
            "openai",
            "/openai/deployments/ada-002/embeddings?api-version=2024-10-21",
            "openai_embeddings",
        ),
        ("openai", "/openai/v1/responses", "openai_responses"),
        ("openai", "/openai/responses?api-version=2025-04-01-preview", "openai_responses"),
        ("openai", "/openai/v1/chat/completions", "openai_chat"),
        ("openai", "/v1/completions", "openai_completions"),
        ("openai", "/api/chat", "ollama_chat"),
        ("openai", "/openai/deployments/x/images/generations", "generic"),
        ("ollama", "/api/chat", "ollama_chat"),
        ("ollama", "/api/generate", "ollama_generate"),
        ("ollama", "/v1/chat/completions", "openai_chat"),
        ("ollama", "/api/embed", "generic"),
        ("ollama", "/api/pull", "generic"),
        ("gemini", "/v1beta/models/gemini-2.5-flash:generateContent", "gemini_generate"),
        (
            "gemini",
            "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
            "gemini_generate",
        ),
        (
            "gemini",
            "/v1/projects/p-1/locations/europe-west3/publishers/google/models/"
            "gemini-2.0-flash:generateContent",
            "gemini_generate",
        ),
        ("gemini", "/v1beta/tunedModels/my-model:generateContent", "gemini_generate"),
        ("gemini", "/v1beta/openai/chat/completions", "openai_chat"),
        ("gemini", "/v1beta/models/gemini-2.5-flash:countTokens", "generic"),
        ("gemini", "/v1beta/models/text-embedding-004:embedContent", "generic"),
        ("anthropic", "/api/generate", "generic"),
        ("no-such-family", "/v1/chat/completions", "generic"),
    ],
)
def test_match_provider_endpoint(family: str, path: str, api: Api) -> None:
    assert match_endpoint(family, "POST", path) == api


def test_inline_files_that_yield_no_text_are_unscanned() -> None:
    body = {
        "input": [
            {
                "role": "user",
                "content": [
                    {"type": "input_file", "filename": "a.pdf", "file_data": "data:x;base64,%%%"},
                    {"type": "input_file", "filename": "b.docx", "file_data": "UEsDBAoAAAAA"},
                    {"type": "input_file", "filename": "leer.txt", "file_data": ""},
                    {"type": "input_image", "image_url": "https://example.com/a.png"},
                ],
            }
        ]
    }
    prompt = run("openai_responses", body)
    assert prompt.unscanned == ("input[0].content[0].file_data", "input[0].content[1].file_data")
    assert [p.location for p in prompt.parts] == [
        "input[0].content[0].filename",
        "input[0].content[1].filename",
        "input[0].content[2].filename",
    ]


@pytest.mark.parametrize(
    ("api", "body", "reason"),
    [
        ("openai_responses", {"input": [{"content": [{"file_data": 5}]}]}, "file_data"),
        ("openai_responses", {"input": [{"content": [{"file_data": "data:a,b"}]}]}, "data URL"),
        ("openai_completions", {"prompt": [{"x": SECRET}]}, "prompt[0]: expected a string"),
        ("openai_embeddings", {"input": {"x": SECRET}}, "input: expected a string or an array"),
        ("ollama_chat", {"messages": [{"content": [SECRET]}]}, "messages[0].content"),
        ("ollama_chat", {"prompt": SECRET}, "messages: required"),
        ("ollama_generate", {"prompt": [SECRET]}, "prompt: expected a string"),
        ("ollama_generate", {"images": SECRET}, "images: expected an array"),
        ("gemini_generate", {"contents": SECRET}, "contents: expected an array"),
        ("gemini_generate", {"contents": [{"parts": [SECRET]}]}, "contents[0].parts[0]"),
        ("gemini_generate", {"contents": [{"parts": [{"text": 1}]}]}, "parts[0].text"),
        (
            "gemini_generate",
            {"contents": [{"parts": [{"inlineData": {"data": [SECRET]}}]}]},
            "inlineData.data: expected a string",
        ),
        (
            "anthropic_messages",
            {"messages": [{"content": [{"type": "image", "source": {"type": "base64"}}]}]},
            "source.data: expected a string",
        ),
    ],
)
def test_malformed_provider_fields_raise_without_echoing(
    api: Api, body: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ExtractError) as info:
        run(api, body)
    assert reason in str(info.value)
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("api", ["gemini_generate", "ollama_chat", "openai_embeddings"])
def test_truncated_provider_json_raises(api: Api) -> None:
    with pytest.raises(ExtractError, match="not JSON") as info:
        extract(api, f'{{"contents": [{{"text": "{SECRET}'.encode())
    assert SECRET not in str(info.value)


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
    ]
    assert prompt.unscanned == ("multipart.file.content",)
    raw = extract("generic", pdf, content_type="application/pdf")
    assert (pairs(raw), raw.unscanned) == ([("body", PDF_TEXT)], ())
    assert extract("generic", PNG_BYTES, content_type="image/png").unscanned == ("body",)
