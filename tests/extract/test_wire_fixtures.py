"""Recorded provider requests (fixtures/wire, see its README) yield exactly their parts;
inline files without text are unscanned; malformed fields fail without echoing."""

from typing import Any

import pytest

from extract.model import Api, ExtractError
from extract.registry import extract
from tests.extract.support import (
    IBAN,
    PDF_TEXT,
    SECRET,
    extract_wire_case,
    run,
)

# --- provider wire fixtures (fixtures/wire, see its README) --------------------------------

CSV_TEXT = f"Name;IBAN\nMax Mustermann;{IBAN}\n"

# (fixture, family, path, api, stream, model, parts, unscanned): all JSON
JsonWireCase = tuple[str, str, str, Api, bool, str | None, list[tuple[str, str]], tuple[str, ...]]
WIRE_CASES: list[JsonWireCase] = [
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


@pytest.mark.parametrize("case", WIRE_CASES, ids=[c[0] for c in WIRE_CASES])
def test_wire_fixture_yields_exact_parts(case: JsonWireCase) -> None:
    name, family, path, api, stream, model, expected, unscanned = case
    json_case = (name, family, path, "application/json", api, stream, model, expected, unscanned)
    extract_wire_case(*json_case)


def test_inline_files_that_cannot_be_read_are_unreadable() -> None:
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
    assert prompt.unscanned == ()
    assert [(u.location, u.why) for u in prompt.unreadable] == [
        ("input[0].content[0].file_data", "corrupt"),  # no base64
        ("input[0].content[1].file_data", "corrupt"),  # a zip cut off after its first bytes
    ]
    assert [p.location for p in prompt.parts[prompt.residual :]] == [
        "input[0].content[0].filename",
        "input[0].content[0].file_data",  # what is no base64 reaches the vendor as text
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
