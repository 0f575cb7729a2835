"""Amazon Bedrock runtime (extract/bedrock.py): routes, InvokeModel's native bodies, Converse,
every other field scanned too, files by type, Bedrock's error answer."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from answers.responders import block_response
from extract.model import ExtractError
from extract.registry import extract, match_endpoint
from tests.extract.support import IBAN, pairs, run

B64_TEXT = base64.b64encode(f"Kontoinhaber Erika Mustermann, IBAN {IBAN}".encode()).decode()
B64_PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").decode()


@pytest.mark.parametrize(
    ("path", "api"),
    [
        ("/model/anthropic.claude-3-5-sonnet-20240620-v1:0/invoke", "bedrock_invoke"),
        (
            "/model/eu.anthropic.claude-sonnet-4-20250514-v1:0/invoke-with-response-stream",
            "bedrock_invoke",
        ),
        ("/model/amazon.nova-pro-v1:0/converse", "bedrock_converse"),
        ("/model/amazon.nova-pro-v1:0/converse-stream", "bedrock_converse"),
        # an inference profile ARN, URL-encoded as botocore sends it
        (
            "/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A123456789012%3Ainference-profile%2F"
            "eu.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse",
            "bedrock_converse",
        ),
        ("/model//amazon.titan-text-express-v1/invoke/", "bedrock_invoke"),
        ("/openai/v1/chat/completions", "openai_chat"),  # bedrock-runtime's OpenAI API
        ("/v1/responses", "openai_responses"),  # bedrock-mantle
        ("/anthropic/v1/messages", "anthropic_messages"),  # bedrock-mantle
        ("/guardrail/abc123/version/1/apply", "bedrock_other"),
        ("/async-invoke", "bedrock_other"),
        ("/model/m/count-tokens", "bedrock_other"),
        ("/agents/A/agentAliases/B/sessions/s1/text", "bedrock_other"),  # agent runtime
    ],
)
def test_routes(path: str, api: str) -> None:
    assert match_endpoint("bedrock", "POST", path) == api


def test_invoke_with_an_anthropic_body_keeps_the_messages_structure_and_scans_the_rest() -> None:
    prompt = run(
        "bedrock_invoke",
        {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 100,
            "system": "Du bist Buchhalter.",
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": f"IBAN {IBAN}"}]},
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "image",
                            "source": {
                                "type": "base64",
                                "media_type": "image/png",
                                "data": B64_PNG,
                            },
                        }
                    ],
                },
            ],
            "tools": [{"name": "call", "description": "Ruft Erika Mustermann an"}],
            "metadata": {"user_id": "erika@example.com"},
        },
    )
    found = dict(pairs(prompt))
    assert found["system"] == "Du bist Buchhalter."
    assert found["messages[0].content[0].text"] == f"IBAN {IBAN}"
    assert found["tools[0].description"] == "Ruft Erika Mustermann an"
    assert found["metadata.user_id"] == "erika@example.com"
    assert prompt.unscanned == ("messages[1].content[0].source.data",)
    assert not any(B64_PNG in text for text in found.values())  # the image is no text
    assert prompt.api == "bedrock_invoke"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"inputText": f"IBAN {IBAN}", "textGenerationConfig": {"maxTokenCount": 9}}, "inputText"),
        ({"prompt": f"<s>[INST] IBAN {IBAN} [/INST]", "max_gen_len": 9}, "prompt"),
        ({"message": f"IBAN {IBAN}", "chat_history": [{"message": "hi"}]}, "message"),
        ({"texts": [f"IBAN {IBAN}"], "input_type": "search_document"}, "texts[0]"),
        (
            {"schemaVersion": "messages-v1", "messages": [{"content": [{"text": f"IBAN {IBAN}"}]}]},
            "messages[0].content[0].text",
        ),
    ],
)
def test_invoke_with_other_native_bodies_reads_every_string(
    body: dict[str, Any], expected: str
) -> None:
    found = dict(pairs(run("bedrock_invoke", body)))
    assert found[expected].endswith(f"IBAN {IBAN}") or found[expected].startswith("<s>")


def test_invoke_native_bytes_are_files_not_text() -> None:
    prompt = run(
        "bedrock_invoke",
        {"messages": [{"content": [{"image": {"format": "png", "source": {"bytes": B64_PNG}}}]}]},
    )
    assert pairs(prompt) == [("messages[0].content[0].image.format", "png")]
    assert prompt.unscanned == ("messages[0].content[0].image.source.bytes",)
    text = run("bedrock_invoke", {"document": {"bytes": B64_TEXT}})
    assert IBAN in dict(pairs(text))["document.bytes"]  # decoded, not the base64


CONVERSE: dict[str, Any] = {
    "system": [{"text": "Du bist nett."}, {"guardContent": {"text": {"text": "Regel 7"}}}],
    "messages": [
        {
            "role": "user",
            "content": [
                {"text": f"Meine IBAN ist {IBAN}"},
                {
                    "document": {
                        "format": "txt",
                        "name": "Erika Mustermann",
                        "source": {"bytes": B64_TEXT},
                    }
                },
                {"image": {"format": "png", "source": {"bytes": B64_PNG}}},
                {"video": {"format": "mp4", "source": {"bytes": "AAAA"}}},
                {"document": {"format": "txt", "name": "notiz", "source": {"text": "Zeile"}}},
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"reasoningContent": {"reasoningText": {"text": "Denken", "signature": "sig"}}},
                {"toolUse": {"toolUseId": "t1", "name": "lookup", "input": {"kunde": "Erika"}}},
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "toolResult": {
                        "toolUseId": "t1",
                        "content": [{"json": {"iban": IBAN}}, {"text": "ok"}],
                    }
                }
            ],
        },
    ],
    "toolConfig": {
        "tools": [
            {
                "toolSpec": {
                    "name": "lookup",
                    "description": "Sucht Kunden wie Max Mustermann",
                    "inputSchema": {"json": {"properties": {"kunde": {"description": "Name"}}}},
                }
            }
        ]
    },
    "promptVariables": {"kunde": {"text": "Erika Mustermann"}},
    "requestMetadata": {"ticket": "erika@example.com"},
    "additionalModelRequestFields": {"top_k": 5, "note": "Extra"},
}


def test_converse_reads_every_block_and_the_rest_of_the_request() -> None:
    prompt = run("bedrock_converse", CONVERSE)
    found = dict(pairs(prompt))
    assert found["system[0].text"] == "Du bist nett."
    assert found["system[1].guardContent.text.text"] == "Regel 7"
    assert found["messages[0].content[0].text"] == f"Meine IBAN ist {IBAN}"
    assert found["messages[0].content[1].document.name"] == "Erika Mustermann"
    assert IBAN in found["messages[0].content[1].document.source.bytes"]  # the file's text
    assert found["messages[0].content[4].document.source.text"] == "Zeile"
    assert found["messages[1].content[0].reasoningContent.reasoningText.text"] == "Denken"
    assert found["messages[1].content[1].toolUse.input"] == '{"kunde": "Erika"}'
    assert IBAN in found["messages[2].content[0].toolResult.content[0].json"]
    assert found["toolConfig.tools[0].toolSpec.description"] == "Sucht Kunden wie Max Mustermann"
    assert found["toolConfig.tools[0].toolSpec.inputSchema.json.properties.kunde.description"]
    assert found["promptVariables.kunde.text"] == "Erika Mustermann"
    assert found["requestMetadata.ticket"] == "erika@example.com"
    assert found["additionalModelRequestFields.note"] == "Extra"
    assert set(prompt.unscanned) == {
        "messages[0].content[2].image.source.bytes",
        "messages[0].content[3].video.source.bytes",
    }
    assert not any(B64_TEXT in t or B64_PNG in t for t in found.values())
    # each leaf once: nothing a block walk took comes again from the rest
    assert len(prompt.parts) == len({p.location for p in prompt.parts})


@pytest.mark.parametrize(
    "body",
    [
        {"messages": "hallo"},
        {"messages": [{"content": "hallo"}]},
        {"messages": [{"content": [{"image": {"source": {"bytes": 5}}}]}]},
        {"system": {"text": "x"}},
    ],
)
def test_malformed_converse_bodies_fail_cleanly(body: dict[str, Any]) -> None:
    with pytest.raises(ExtractError):
        run("bedrock_converse", body)


def test_other_bodies_are_read_generically() -> None:
    body = {"source": "INPUT", "content": [{"text": {"text": f"IBAN {IBAN}"}}]}
    prompt = extract("bedrock_other", json.dumps(body).encode(), "application/json")
    assert prompt.api == "bedrock_other"
    assert any(IBAN in p.text for p in prompt.parts)


@pytest.mark.parametrize("api", ["bedrock_invoke", "bedrock_converse", "bedrock_other"])
@pytest.mark.parametrize("stream", [False, True])
def test_block_answer_is_bedrocks_access_denied_error(api: str, stream: bool) -> None:
    status, headers, body = block_response(api, stream=stream, model=None, message="Nein: IBAN")
    assert status == 403
    assert headers["x-amzn-errortype"].split(":")[0] == "AccessDeniedException"
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"message": "Nein: IBAN"}
