"""The provider APIs (OpenAI, Anthropic, Gemini, Ollama): every prompt shape yields its
text with its location; stream flag, model; bad bodies fail cleanly."""

from typing import Any

import pytest

from extract.model import Api, ExtractError, TextPart
from extract.path import ROOT
from extract.registry import extract
from tests.extract.support import (
    IBAN,
    PNG,
    SECRET,
    pairs,
    run,
)

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
            ("input[1].content[2].file_data", "JVBER"),  # no base64: sent as it is
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
            ("messages[0].content[1].source.data", "\u2030"),  # b"\x89": no image, text
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
    content = TextPart(ROOT.key("messages").index(0).key("content"), "hi")
    assert prompt.parts[prompt.residual :] == (content,)
    assert content.location == "messages[0].content"
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


MALFORMED: list[tuple[str, Api, bytes, str]] = [
    ("empty", "openai_chat", b"", "empty"),
    ("invalid_json", "openai_chat", b'{"messages": [' + SECRET.encode(), "not JSON"),
    ("json_array", "openai_chat", b"[1, 2]", "JSON object, not array"),
    ("json_string", "anthropic_messages", f'"{SECRET}"'.encode(), "not string"),
    ("json_null", "openai_responses", b"null", "not null"),
    ("invalid_utf8", "openai_chat", b'{"messages": "\xff\xfe"}', "UTF-8"),
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
    assert "Müller" in prompt.parts[prompt.residual].text


def test_nested_tool_results_are_bounded() -> None:
    block: dict[str, Any] = {"type": "text", "text": "innen"}
    for _ in range(50):
        block = {"type": "tool_result", "tool_use_id": "t", "content": [block]}
    with pytest.raises(ExtractError, match="nested too deeply"):
        run("anthropic_messages", {"messages": [{"role": "user", "content": [block]}]})


def test_large_body_is_extracted_whole() -> None:
    text = "Zeile mit Daten. " * 300_000  # ~5 MB
    prompt = run("openai_chat", {"messages": [{"role": "user", "content": text}]})
    assert prompt.parts[prompt.residual].text == text
