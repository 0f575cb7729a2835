"""Web app extractors: each app's request body (fixtures/wire) yields exactly its prompt text."""

import json
from pathlib import Path

import pytest

from extract.model import Api, ExtractError
from extract.registry import extract, match_endpoint
from tests.extract.support import WireCase, extract_wire_case, pairs

WIRE = Path(__file__).parent / "fixtures" / "wire"
IBAN = "DE89 3704 0044 0532 0130 00"
SECRET = "Max Mustermann DE89370400440532013000"
BOUNDARY = "----WebKitFormBoundaryq7K2mZ9xT4pLw8Rd"
HF_MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
FORM = "application/x-www-form-urlencoded;charset=UTF-8"
ORG = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
CHAT = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"
GEMINI_WEB = (
    "/_/BardChatUi/data/assistant.lamda.BardFrontendService/StreamGenerate"
    "?bl=boq_assistant-bard-web-server_20250101.00_p0&_reqid=123456&rt=c"
)


CASES: list[WireCase] = [
    (
        "chatgpt_web_conversation.json",
        "chatgpt-web",
        "/backend-api/f/conversation",
        "application/json",
        "chatgpt_web",
        True,
        "gpt-4o",
        [
            (
                "messages[0].content.parts[1]",
                f"Kannst du die Überweisung an Max Mustermann (IBAN {IBAN}) prüfen?",
            ),
            ("messages[0].metadata.attachments[0].name", "Kontoauszug_Mustermann.png"),
        ],
        (),
    ),
    (
        "claude_web_completion.json",
        "claude-web",
        f"/api/organizations/{ORG}/chat_conversations/{CHAT}/completion",
        "application/json",
        "claude_web",
        True,
        "claude-sonnet-4-20250514",
        [
            ("prompt", f"Formuliere eine Mahnung an Erika Mustermann, IBAN {IBAN}."),
            ("attachments[0].file_name", "offene_posten.txt"),
            ("attachments[0].extracted_content", f"Max Mustermann 120,00 EUR {IBAN}"),
            ("personalized_styles[0].prompt", "Normal"),
        ],
        (),
    ),
    (
        "gemini_web_stream_generate.form",
        "gemini-web",
        GEMINI_WEB,
        FORM,
        "gemini_web",
        True,
        None,
        [
            ("form:f.req[1]→[0][0]", f"Schreibe Erika Mustermann wegen IBAN {IBAN}"),
            ("form:f.req[1]→[1][0]", "de"),
        ],
        (),
    ),
    (
        "perplexity_ask.json",
        "perplexity-web",
        "/rest/sse/perplexity_ask",
        "application/json",
        "perplexity_web",
        True,
        "turbo",
        [
            ("query_str", f"Ist die IBAN {IBAN} von Max Mustermann gültig?"),
            ("params.dsl_query", f"Ist die IBAN {IBAN} von Max Mustermann gültig?"),
        ],
        (),
    ),
    (
        "deepseek_completion.json",
        "deepseek-web",
        "/api/v0/chat/completion",
        "application/json",
        "deepseek_web",
        True,
        None,
        [
            (
                "prompt",
                "Übersetze ins Englische: Sehr geehrte Frau Mustermann, "
                f"Ihre IBAN {IBAN} wurde belastet.",
            )
        ],
        (),
    ),
    (
        "lechat_trpc_new_chat.json",
        "lechat-web",
        "/api/trpc/message.newChat?batch=1",
        "application/json",
        "lechat_web",
        False,
        "mistral-large-latest",
        [
            ('["0"].json.content[0].type', "text"),
            (
                '["0"].json.content[0].text',
                f"Schreibe eine Kündigung für Max Mustermann, IBAN {IBAN}.",
            ),
            ('["0"].json.model', "mistral-large-latest"),
            ('["0"].json.features[0]', "beta-websearch"),
            ('["0"].json.clientPromptData.currentDate', "2025-01-15"),
            ('["0"].json.clientPromptData.userTimezone', "Europe/Berlin"),
        ],
        (),
    ),
    (
        "poe_gql_send_message.json",
        "poe-graphql",
        "/api/gql_POST",
        "application/json",
        "poe_graphql",
        False,
        "capybara",
        [
            ("variables.bot", "capybara"),
            ("variables.query", f"Prüfe: Erika Mustermann, IBAN {IBAN}"),
            ("variables.source.sourceType", "chat_input"),
        ],
        (),
    ),
    (
        "huggingchat_conversation.multipart",
        "huggingchat",
        "/chat/conversation/6789abcdef0123456789abcd",
        HF_MULTIPART,
        "huggingchat",
        True,
        None,
        [
            # "base64;<name>": the file, decoded from the part's base64 body and read
            ("multipart:files[0].filename", "Kundenliste.csv"),
            ("multipart:files[0]", f"Name;IBAN\nErika Mustermann;{IBAN}\n"),
            # "hash;<name>": a file uploaded before, by its sha256: the name only
            ("multipart:files[1].filename", "Vertrag.pdf"),
            ("multipart:files[2].filename", "scan.png"),
            (
                "multipart:data[0]→inputs",
                "Fasse die Liste zusammen. Ansprechpartner: Max Mustermann",
            ),
            ("multipart:data[0]→timezone", "Europe/Berlin"),
        ],
        ("multipart:files[2]",),  # a PNG: no OCR
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_web_fixture_yields_exact_parts(case: WireCase) -> None:
    extract_wire_case(*case)


@pytest.mark.parametrize(
    ("family", "method", "path", "api"),
    [
        ("chatgpt-web", "POST", "/backend-api/conversation", "chatgpt_web"),
        ("chatgpt-web", "POST", "/backend-anon/conversation", "chatgpt_web"),
        ("chatgpt-web", "POST", "/backend-anon/f/conversation/", "chatgpt_web"),
        ("chatgpt-web", "PATCH", "/backend-api/conversation/abc", "generic"),
        ("chatgpt-web", "POST", "/backend-api/conversation/init", "generic"),
        ("chatgpt-web", "GET", "/backend-api/conversation", "generic"),
        (
            "claude-web",
            "POST",
            f"/api/organizations/{ORG}/chat_conversations/{CHAT}/retry_completion",
            "claude_web",
        ),
        ("claude-web", "POST", f"/api/{ORG}/upload", "generic"),
        ("claude-web", "POST", f"/api/organizations/{ORG}/upload", "generic"),
        ("claude-web", "POST", f"/api/organizations/{ORG}/chat_conversations", "generic"),
        ("gemini-web", "POST", GEMINI_WEB, "gemini_web"),
        ("gemini-web", "POST", "/_/BardChatUi/data/batchexecute?rpcids=MaZiqc", "generic"),
        ("perplexity-web", "POST", "/rest/sse/perplexity_ask", "perplexity_web"),
        ("deepseek-web", "POST", "/api/v0/chat/completion", "deepseek_web"),
        ("deepseek-web", "POST", "/api/v0/file/upload_file", "generic"),
        ("lechat-web", "POST", "/api/trpc/message.newChat?batch=1", "lechat_web"),
        ("lechat-web", "POST", "/api/chat", "lechat_chat"),
        ("lechat-web", "POST", "/api/trpc/file.uploadFile?batch=1", "lechat_upload"),
        ("lechat-web", "POST", "/api/trpc/chat.list,file.uploadFile?batch=1", "lechat_upload"),
        ("lechat-web", "POST", "/api/trpc/file.uploadFiles?batch=1", "lechat_web"),
        ("deepseek-web", "POST", "/api/v0/chat/edit_message", "deepseek_web"),
        ("copilot-ws", "POST", "/m365Copilot/UploadFile", "m365_upload"),
        ("poe-graphql", "POST", "/api/gql_POST", "poe_graphql"),
        ("poe-graphql", "POST", "/api/gql_upload_POST", "poe_upload"),
        ("huggingchat", "POST", "/chat/conversation/6789abcd", "huggingchat"),
        ("huggingchat", "POST", "/chat/conversation", "huggingchat"),
        ("huggingchat", "POST", "/chat/conversation/6789abcd/message/1/vote", "generic"),
        ("copilot-ws", "POST", "/c/api/conversations", "generic"),
        ("chatgpt-web", "POST", "/rest/sse/perplexity_ask", "generic"),
    ],
)
def test_match_web_endpoint(family: str, method: str, path: str, api: Api | None) -> None:
    assert match_endpoint(family, method, path) == api


def test_gemini_web_reads_every_leaf_whatever_the_positions() -> None:
    inner = [[["Verschachtelt", {"note": "Max Mustermann"}]], "c_0123456789ab", "Frau Müller"]
    outer = [None, json.dumps(inner), "direkt"]
    body = "f.req=" + json.dumps(outer).replace("&", "%26") + "&at=token123&extra=Feld"
    prompt = extract("gemini_web", body.encode(), FORM)
    assert pairs(prompt) == [
        ("form:f.req[1]→[0][0][0]", "Verschachtelt"),
        ("form:f.req[1]→[0][0][1].note", "Max Mustermann"),
        ("form:f.req[1]→[2]", "Frau Müller"),
        ("form:f.req[2]", "direkt"),
        ("form:extra", "Feld"),
    ]


def test_gemini_web_brackets_in_a_prompt_are_text() -> None:
    outer = [None, json.dumps([["[Entwurf] Brief an Frau Müller"]])]
    body = ("f.req=" + json.dumps(outer)).encode()
    assert pairs(extract("gemini_web", body, FORM)) == [
        ("form:f.req[1]→[0][0]", "[Entwurf] Brief an Frau Müller")
    ]


def test_chatgpt_web_text_content_and_custom_instructions() -> None:
    body = {
        "action": "next",
        "messages": [
            {
                "author": {"role": "user"},
                "content": {
                    "content_type": "user_editable_context",
                    "user_profile": "Ich bin Max Mustermann",
                    "user_instructions": "Antworte kurz",
                },
            },
            {"author": {"role": "user"}, "content": {"content_type": "code", "text": "print(1)"}},
        ],
    }
    prompt = extract("chatgpt_web", json.dumps(body).encode(), "application/json")
    assert pairs(prompt) == [
        ("messages[0].content.user_profile", "Ich bin Max Mustermann"),
        ("messages[0].content.user_instructions", "Antworte kurz"),
        ("messages[1].content.text", "print(1)"),
    ]


def test_lechat_without_batch_and_poe_skips_ids() -> None:
    lechat = {"json": {"content": "Hallo Herr Müller", "chatId": "abc"}}
    assert pairs(extract("lechat_web", json.dumps(lechat).encode())) == [
        ("json.content", "Hallo Herr Müller"),
        ("json.chatId", "abc"),
    ]
    poe = {
        "queryName": "q",
        "variables": {"message": "Frau Müller", "chatId": "c1", "messageIds": ["m1"], "sdid": "s1"},
    }
    assert pairs(extract("poe_graphql", json.dumps(poe).encode())) == [
        ("variables.message", "Frau Müller")
    ]


def test_huggingchat_json_body_of_older_releases() -> None:
    body = json.dumps({"inputs": "Hallo Herr Müller", "is_retry": False}).encode()
    assert pairs(extract("huggingchat", body, "application/json")) == [
        ("inputs", "Hallo Herr Müller")
    ]


MALFORMED: list[tuple[str, Api, str | None, bytes, str]] = [
    (
        "chatgpt_truncated",
        "chatgpt_web",
        None,
        f'{{"messages": [{{"x": "{SECRET}'.encode(),
        "not JSON",
    ),
    (
        "chatgpt_messages_string",
        "chatgpt_web",
        None,
        f'{{"messages": "{SECRET}"}}'.encode(),
        "messages: expected an array",
    ),
    (
        "chatgpt_content_string",
        "chatgpt_web",
        None,
        f'{{"messages": [{{"content": "{SECRET}"}}]}}'.encode(),
        "messages[0].content: expected an object",
    ),
    (
        "chatgpt_part_number",
        "chatgpt_web",
        None,
        b'{"messages": [{"content": {"parts": [5]}}]}',
        "messages[0].content.parts[0]",
    ),
    ("claude_prompt_number", "claude_web", None, b'{"prompt": 5}', "prompt: expected a string"),
    (
        "claude_attachment_string",
        "claude_web",
        None,
        f'{{"attachments": ["{SECRET}"]}}'.encode(),
        "attachments[0]: expected an object",
    ),
    ("claude_array_body", "claude_web", None, f'["{SECRET}"]'.encode(), "must be a JSON object"),
    ("gemini_web_no_freq", "gemini_web", FORM, f"at={SECRET}".encode(), "f.req is missing"),
    (
        "gemini_web_truncated",
        "gemini_web",
        FORM,
        f'f.req=[null,"{SECRET}'.encode(),
        "f.req: request body is not JSON",
    ),
    ("gemini_web_bad_utf8", "gemini_web", FORM, b"f.req=\xff" + SECRET.encode(), "not valid utf-8"),
    (
        "perplexity_query_list",
        "perplexity_web",
        None,
        f'{{"query_str": ["{SECRET}"]}}'.encode(),
        "query_str: expected a string",
    ),
    (
        "perplexity_params_string",
        "perplexity_web",
        None,
        f'{{"params": "{SECRET}"}}'.encode(),
        "params: expected an object",
    ),
    (
        "deepseek_prompt_object",
        "deepseek_web",
        None,
        f'{{"prompt": {{"a": "{SECRET}"}}}}'.encode(),
        "prompt: expected a string",
    ),
    ("deepseek_empty", "deepseek_web", None, b"", "empty"),
    (
        "lechat_batch_not_object",
        "lechat_web",
        None,
        f'{{"0": "{SECRET}"}}'.encode(),
        '["0"]: expected an object',
    ),
    (
        "poe_variables_list",
        "poe_graphql",
        None,
        f'{{"variables": ["{SECRET}"]}}'.encode(),
        "variables: expected an object",
    ),
    (
        "huggingchat_data_truncated",
        "huggingchat",
        HF_MULTIPART,
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="data"\r\n\r\n'
            f'{{"inputs": "{SECRET}\r\n--{BOUNDARY}--\r\n'
        ).encode(),
        "multipart:data[0]: request body is not JSON",
    ),
    (
        "huggingchat_data_array",
        "huggingchat",
        HF_MULTIPART,
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="data"\r\n\r\n'
            f'["{SECRET}"]\r\n--{BOUNDARY}--\r\n'
        ).encode(),
        "expected a JSON object",
    ),
    (
        "huggingchat_truncated_multipart",
        "huggingchat",
        HF_MULTIPART,
        (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="data"\r\n\r\n{SECRET}').encode(),
        "multipart body is malformed",
    ),
]


@pytest.mark.parametrize(
    ("api", "content_type", "body", "reason"),
    [m[1:] for m in MALFORMED],
    ids=[m[0] for m in MALFORMED],
)
def test_malformed_web_body_raises_without_echoing(
    api: Api, content_type: str | None, body: bytes, reason: str
) -> None:
    with pytest.raises(ExtractError) as info:
        extract(api, body, content_type)
    assert reason in str(info.value)
    assert SECRET not in str(info.value)
    assert "Mustermann" not in str(info.value)


def test_deeply_nested_gemini_web_is_an_error_not_a_crash() -> None:
    inner = "[" * 200 + "]" * 200
    body = ("f.req=" + json.dumps([None, inner])).encode()
    with pytest.raises(ExtractError, match="nested too deeply"):
        extract("gemini_web", body, FORM)
