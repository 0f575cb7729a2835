"""Every byte of a request is scanned or ignored by a row of extract/coverage.py's table.

Real request bodies (the wire fixtures, with every side field the SDKs send) are walked
leaf by leaf — every string, number and object key — independently of the extractors,
and each leaf must be in a scanned part or matched by a row of the table. The same for
URLs (path segments, query names and values) and headers. The table in
docs/security.md is the module's, row for row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from extract.coverage import IGNORED, SCANNED, TABLE, header_rule, markdown, string_rule
from extract.model import Api, Prompt
from extract.path import Index, Key, Mark
from extract.path import Path as TextPath
from extract.registry import extract
from extract.request_parts import header_parts, url_parts
from extract.residual import KEY_SEPARATOR, number_text
from tests.extract.support import WIRE

SECURITY_DOC = Path(__file__).parents[2] / "docs" / "security.md"

# (fixture, api): every JSON body of fixtures/wire.
FIXTURES: list[tuple[str, Api]] = [
    ("openai_chat_completions.json", "openai_chat"),
    ("openai_chat_tools_side_fields.json", "openai_chat"),
    ("azure_chat_completions.json", "openai_chat"),
    ("openai_responses_input_file.json", "openai_responses"),
    ("openai_responses_tools_text_format.json", "openai_responses"),
    ("openai_completions_legacy.json", "openai_completions"),
    ("openai_embeddings.json", "openai_embeddings"),
    ("ollama_chat.json", "ollama_chat"),
    ("ollama_generate.json", "ollama_generate"),
    ("anthropic_messages_documents.json", "anthropic_messages"),
    ("anthropic_messages_tools_mcp.json", "anthropic_messages"),
    ("gemini_generate_content.json", "gemini_generate"),
    ("gemini_generate_tools_schema.json", "gemini_generate"),
    ("chatgpt_web_conversation.json", "chatgpt_web"),
    ("claude_web_completion.json", "claude_web"),
    ("perplexity_ask.json", "perplexity_web"),
    ("deepseek_completion.json", "deepseek_web"),
    ("lechat_trpc_new_chat.json", "lechat_web"),
    ("poe_gql_send_message.json", "poe_graphql"),
    ("openai_chat_tools_side_fields.json", "generic"),  # what the generic reader makes of it
]

Address = tuple[tuple[str, object], ...]


def _address(path: TextPath) -> Address:
    steps: list[tuple[str, object]] = []
    for step in path.steps:
        if isinstance(step, Key):
            steps.append(("k", step.name))
        elif isinstance(step, Index):
            steps.append(("i", step.index))
        elif isinstance(step, Mark) and step.kind not in ("json", "file"):
            steps.append(("m", step.kind))
    return tuple(steps)


def _leaves(data: Any, at: Address = ()) -> Iterator[tuple[str, Address, Any]]:
    """("string" | "number" | "key" | "literal", address, value) of every leaf."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield "key", at, key
            yield from _leaves(value, (*at, ("k", key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, (*at, ("i", index)))
    elif isinstance(data, str):
        yield "string", at, data
    elif isinstance(data, bool) or data is None:
        yield "literal", at, data
    else:
        yield "number", at, data


def _covered(kind: str, at: Address, value: Any, prompt: Prompt) -> bool:
    parts = [(_address(p.path), p) for p in prompt.parts]
    consumed = {_address(path) for path in prompt.consumed}
    if kind == "literal":
        return any(rule.part.startswith("JSON `true`") for rule in IGNORED)
    if any(at[: len(c)] == c for c in consumed):
        return True  # an inline file (read or unscanned) or token ids the extractor took
    if kind == "key":
        keys = [p.text.split(KEY_SEPARATOR) for a, p in parts if a[-1:] == (("m", "keys"),)]
        in_dump = any(at[: len(a)] == a and json.dumps(value) in p.text for a, p in parts)
        return string_rule(value) is not None or any(value in k for k in keys) or in_dump
    text = value if kind == "string" else number_text(value)
    key = at[-1][1] if at and at[-1][0] == "k" else None
    if kind == "string" and string_rule(value, key if isinstance(key, str) else None):
        return True
    for address, part in parts:
        if address == at and (part.text == text or "file" in part.path.marks()):
            return True  # the leaf itself at its path, or the text of the file it holds
        if at[: len(address)] == address and address != at:
            dumped = json.dumps(value, ensure_ascii=False)
            if dumped in part.text or text in part.text:
                return True  # inside a tool input the extractor scanned as JSON
        joined = address[-1:] == (("m", "joined"),) and at[: len(address) - 2] == address[:-2]
        if joined and text in part.text:
            return True  # a fragment of an array read joined
    return False


@pytest.mark.parametrize(("name", "api"), FIXTURES, ids=[f"{n}:{a}" for n, a in FIXTURES])
def test_every_leaf_of_a_real_request_is_scanned_or_ignored_by_a_rule(name: str, api: Api) -> None:
    body = (WIRE / name).read_bytes()
    prompt = extract(api, body, "application/json")
    missing = [
        f"{kind} at {at}"  # addresses only: a value never goes into a message
        for kind, at, value in _leaves(json.loads(body))
        if not _covered(kind, at, value, prompt)
    ]
    assert missing == []


def test_side_fields_are_scanned_where_they_are() -> None:
    prompt = extract("openai_chat", (WIRE / "openai_chat_tools_side_fields.json").read_bytes())
    scanned = {p.location: p.text for p in prompt.parts}
    assert "DE89 3704 0044 0532 0130 00" in scanned["tools[0].function.description"]
    enum = "tools[0].function.parameters.properties.empfaenger.enum[0]"
    assert scanned[enum] == "erika.mustermann@beispiel-firma.de"
    assert scanned["user"] == "erika.mustermann@beispiel-firma.de"
    assert scanned["metadata.kunde"] == "Erika Mustermann"
    assert scanned["response_format.json_schema.description"] == "Eine Buchung für Erika Mustermann"
    assert scanned["stop[0]…[1]"] == "ENDE \n\n" and scanned["seed"] == "4711"
    assert scanned["model"] == "gpt-4o-2024-08-06"
    assert "50256" in scanned["{keys}"].split(KEY_SEPARATOR)  # logit_bias: keys are data


def test_a_third_party_token_is_scanned() -> None:
    prompt = extract(
        "anthropic_messages", (WIRE / "anthropic_messages_tools_mcp.json").read_bytes()
    )
    token = {p.location: p.text for p in prompt.parts}["mcp_servers[0].authorization_token"]
    assert token.startswith("ghp_")


def test_token_ids_are_skipped_by_their_rule() -> None:
    prompt = extract("openai_completions", b'{"model": "m", "prompt": [[1, 2, 3], "Hallo"]}')
    assert [p.location for p in prompt.parts] == ["model", "{keys}", "prompt[1]"]
    assert [str(path) for path in prompt.consumed] == ["prompt[0]"]


# --- outside the body ---------------------------------------------------------------------

TARGETS = [
    "/v1/chat/completions",
    "/v1/files/file-abc/content?purpose=assistants&limit=20",
    "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
    "/v1beta/models/gemini-2.0-flash:generateContent?key=AIza-test&alt=sse",
    "/backend-api/conversation/6789abcd-1234-4def-8abc-0123456789ab?x=%20y%2B#fragment",
    "/api/v1/%44%45%38%39/only-name?flag&x=",
]


@pytest.mark.parametrize("target", TARGETS)
def test_every_url_segment_and_query_field_is_scanned(target: str) -> None:
    from urllib.parse import parse_qsl, unquote

    parts = url_parts(target)
    text = " ".join(p.text for p in parts)
    path, _, query = target.split("#")[0].partition("?")
    for segment in path.split("/"):
        decoded = unquote(segment)
        assert string_rule(decoded) is not None or decoded in text
    for name, value in parse_qsl(query, keep_blank_values=True):
        assert name in text and (string_rule(value) is not None or value in text)


SDK_HEADERS = [
    ("Host", "api.openai.com"),
    ("Accept-Encoding", "gzip, deflate"),
    ("Connection", "keep-alive"),
    ("Accept", "application/json"),
    ("Content-Type", "application/json"),
    ("User-Agent", "OpenAI/Python 1.99.0"),
    ("X-Stainless-Lang", "python"),
    ("X-Stainless-Package-Version", "1.99.0"),
    ("X-Stainless-OS", "Linux"),
    ("X-Stainless-Retry-Count", "0"),
    ("Authorization", "Bearer sk-test"),
    ("x-api-key", "sk-ant-test"),
    ("anthropic-version", "2023-06-01"),
    ("anthropic-beta", "mcp-client-2025-04-04"),
    ("OpenAI-Organization", "org-Tkxfm8owx4zIPaJGNDVrPs6m"),
    ("Cookie", "__Secure-next-auth.session-token=abc"),
    ("Referer", "https://chatgpt.com/c/6789abcd"),
    ("Origin", "https://chatgpt.com"),
    ("sec-ch-ua", '"Chromium";v="124"'),
    ("sec-fetch-mode", "cors"),
    ("oai-device-id", "b1c2d3e4-aaaa-4bbb-8ccc-123456789abc"),
    ("x-user-note", "Kontakt erika.mustermann@beispiel-firma.de"),
    ("Content-Length", "123"),
    ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
]


def test_every_header_is_scanned_or_ignored_by_a_rule() -> None:
    scanned = set()
    for part in header_parts(SDK_HEADERS):
        key = part.path.steps[-1]
        assert isinstance(key, Key)
        scanned.add((key.name, part.text))
    for name, value in SDK_HEADERS:
        text = f"{name}: {value}" if string_rule(value) is None else name
        assert ((name.lower(), text) in scanned) == (header_rule(name, value) is None), name
    names = {name for name, _ in scanned}
    assert {"x-user-note", "anthropic-version", "openai-organization"} <= names
    assert {"origin", "content-type", "connection"} <= names
    assert not names & {"authorization", "cookie", "x-stainless-lang", "user-agent", "host"}
    assert not names & {"referer", "sec-ch-ua"}


@pytest.mark.parametrize(
    "name",
    ["accept-note", "if-note", "sec-ch-note", "sec-fetch-note", "x-stainless-note", "content-type"],
)
def test_a_header_named_like_an_ignored_one_is_scanned(name: str) -> None:
    """Ignored headers are ignored by their exact names: a prefix would let any header
    that starts like one carry a value past the gateway."""
    (part,) = header_parts([(name, "Konto DE89 3704 0044 0532 0130 00")])
    assert "DE89 3704" in part.text


def test_a_header_name_is_scanned_with_its_value() -> None:
    (part,) = header_parts([("x-DE89370400440532013000", "1")])
    assert "DE89370400440532013000" in part.text
    (part,) = header_parts([("x-erika-mustermann", "")])  # blank value: the name alone
    assert part.text == "x-erika-mustermann"


@pytest.mark.parametrize(
    ("value", "ignored"),
    [
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", True),
        ("00-erika.mustermann@beispiel-firma.de", False),
        ("DE89370400440532013000", False),
    ],
)
def test_traceparent_is_ignored_only_in_its_grammar(value: str, ignored: bool) -> None:
    assert (header_rule("traceparent", value) is not None) == ignored


@pytest.mark.parametrize(
    ("value", "ignored"),
    [
        ("req_8f3a2b1c9d0e4f5a6b7c8d9e0f1a2b3c", True),
        ("6752a1b2-aaaa-4bbb-8ccc-123456789abc", True),
        ("DE89370400440532013000", False),
        ("erika.mustermann@beispiel-firma.de", False),
    ],
)
def test_request_ids_are_ignored_only_when_random(value: str, ignored: bool) -> None:
    assert (header_rule("x-request-id", value) is not None) == ignored


@pytest.mark.parametrize(
    ("name", "value", "kept"),
    [
        ("x-forwarded-for", "192.0.2.60, 2001:db8::1, [2001:db8::2]:8080", ""),
        ("x-real-ip", "10.0.0.1", ""),
        ("forwarded", "for=192.0.2.60;proto=https;by=203.0.113.43", "proto=https"),
        ("via", "1.1 10.1.2.3 (squid)", "(squid)"),
        ("x-forwarded-for", "DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00"),
        ("x-forwarded-host", "erika@beispiel-firma.de", "erika@beispiel-firma.de"),
    ],
)
def test_hop_headers_are_scanned_without_their_ip_addresses(
    name: str, value: str, kept: str
) -> None:
    (part,) = header_parts([(name, value)])
    assert kept in part.text
    assert not any(address in part.text for address in ("192.0", "2001", "10.", "203."))


def test_locations_of_outside_parts_carry_no_caller_data() -> None:
    parts = url_parts("/v1/files/DE89?erika%40firma.de=1&DE89370400440532013000=x")
    parts += header_parts([("x-erika@firma.de", "1"), ("x-kunde-4711-0815", "2")])
    for part in parts:
        assert "erika" not in part.location and "4711" not in part.location
        assert "DE89" not in part.location


# --- the table and its documentation --------------------------------------------------------


def test_every_rule_has_a_reason_and_is_used_once() -> None:
    assert all(rule.why.strip() and rule.part.strip() for rule in TABLE)
    assert len({rule.part for rule in TABLE}) == len(TABLE)
    assert all(rule.scanned for rule in SCANNED) and not any(rule.scanned for rule in IGNORED)


def test_docs_show_the_table_row_for_row() -> None:
    doc = SECURITY_DOC.read_text("utf-8")
    start = doc.index("<!-- coverage-table -->")
    end = doc.index("<!-- /coverage-table -->")
    shown = doc[start + len("<!-- coverage-table -->") : end].strip()
    assert shown == markdown().strip(), "docs/security.md: paste extract.coverage.markdown()"
    rows = [line for line in shown.splitlines() if re.match(r"\| (?!---|part)", line)]
    assert len(rows) == len(TABLE)  # and every row of the doc is one of the table's
