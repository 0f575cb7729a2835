"""block_response() as the official SDKs see it: served through an in-memory transport."""

import json
import re
import typing
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from types import ModuleType
from typing import Any

import anthropic
import openai
import pytest
from anthropic.types import RawMessageStreamEvent
from openai.types.chat import ChatCompletionChunk
from openai.types.responses import ResponseStreamEvent
from pydantic import BaseModel

from answers.responders import block_response
from extract.model import Api

MESSAGE = "Gesperrt: IBAN gefunden – bitte prüfen"
USER = [{"role": "user", "content": "Meine IBAN ist DE89 3704 0044 0532 0130 00"}]


def http_lib(sdk: ModuleType) -> ModuleType:
    # openai 3.x / anthropic 2.x moved from httpx to its fork httpx2; older releases
    # still use httpx. Use whichever the installed SDK builds its requests with.
    base_client = sdk._base_client
    return getattr(base_client, "httpx2", None) or base_client.httpx


class Upstream:
    """Answers every request with a block_response and counts the requests."""

    def __init__(self, api: Api, *, stream: bool, model: str | None, message: str) -> None:
        self.args = (api, stream, model, message)
        self.calls = 0

    def transport(self, sdk: ModuleType) -> Any:
        lib = http_lib(sdk)

        def handle(request: Any) -> Any:
            self.calls += 1
            api, stream, model, message = self.args
            status, headers, body = block_response(api, stream=stream, model=model, message=message)
            return lib.Response(status, headers=headers, content=body)

        return lib.Client(transport=lib.MockTransport(handle))


def openai_client(api: Api, *, stream: bool, model: str | None = "gpt-4o", message: str = MESSAGE):
    upstream = Upstream(api, stream=stream, model=model, message=message)
    client = openai.OpenAI(
        api_key="sk-test", base_url="http://testserver/v1", http_client=upstream.transport(openai)
    )
    return client, upstream


def anthropic_client(*, stream: bool, model: str | None = "claude-x", message: str = MESSAGE):
    upstream = Upstream("anthropic_messages", stream=stream, model=model, message=message)
    client = anthropic.Anthropic(
        api_key="sk-ant-test",
        base_url="http://testserver",
        http_client=upstream.transport(anthropic),
    )
    return client, upstream


# --- OpenAI --------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["openai_chat", "openai_responses"])
def test_openai_plain_request_raises_permission_denied_once(api: Api) -> None:
    client, upstream = openai_client(api, stream=False)
    with pytest.raises(openai.PermissionDeniedError) as info:
        if api == "openai_chat":
            client.chat.completions.create(model="gpt-4o", messages=USER)
        else:
            client.responses.create(model="gpt-4o", input="IBAN DE89")
    error = info.value
    assert error.status_code == 403
    assert MESSAGE in error.message
    assert error.body == {
        "message": MESSAGE,
        "type": "policy_violation",
        "code": "leitplanke_policy_block",
        "param": None,
    }
    assert error.code == "leitplanke_policy_block"
    assert upstream.calls == 1  # a policy block must not be retried


def test_openai_chat_stream_yields_message_as_assistant_reply() -> None:
    client, _ = openai_client("openai_chat", stream=True)
    chunks = list(client.chat.completions.create(model="gpt-4o", messages=USER, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == MESSAGE
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].finish_reason for c in chunks] == [None, None, "stop"]
    assert {c.id for c in chunks} == {chunks[0].id}
    assert chunks[0].id.startswith("chatcmpl-leitplanke-")
    assert all(c.model == "gpt-4o" and c.object == "chat.completion.chunk" for c in chunks)
    assert isinstance(chunks[0].created, int)


def test_openai_responses_stream_events_and_final_text() -> None:
    client, _ = openai_client("openai_responses", stream=True)
    events = list(client.responses.create(model="gpt-4o", input="IBAN DE89", stream=True))
    assert [e.type for e in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert deltas == MESSAGE
    final = events[-1]
    assert final.type == "response.completed"
    assert final.response.status == "completed"
    assert final.response.output_text == MESSAGE


def test_openai_responses_stream_helper_accumulates_the_message() -> None:
    client, _ = openai_client("openai_responses", stream=True)
    with client.responses.stream(model="gpt-4o", input="IBAN DE89") as stream:
        texts = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert texts == [MESSAGE]
    assert final.output_text == MESSAGE


# --- Anthropic -----------------------------------------------------------------------


def test_anthropic_plain_request_raises_permission_denied_once() -> None:
    client, upstream = anthropic_client(stream=False)
    with pytest.raises(anthropic.PermissionDeniedError) as info:
        client.messages.create(model="claude-x", max_tokens=64, messages=USER)
    error = info.value
    assert error.status_code == 403
    assert error.body == {
        "type": "error",
        "error": {"type": "permission_error", "message": MESSAGE},
    }
    assert MESSAGE in error.message
    assert error.response.headers["request-id"].startswith("req_leitplanke_")
    assert upstream.calls == 1


def test_anthropic_stream_events() -> None:
    client, _ = anthropic_client(stream=True)
    events = list(
        client.messages.create(model="claude-x", max_tokens=64, messages=USER, stream=True)
    )
    assert [e.type for e in events] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    start, delta, end = events[0], events[2], events[4]
    assert start.type == "message_start" and start.message.id.startswith("msg_leitplanke_")
    assert start.message.model == "claude-x"
    assert delta.type == "content_block_delta" and delta.delta.type == "text_delta"
    assert delta.delta.text == MESSAGE
    assert end.type == "message_delta" and end.delta.stop_reason == "end_turn"


def test_anthropic_stream_helper_final_text_and_message() -> None:
    client, _ = anthropic_client(stream=True)
    with client.messages.stream(model="claude-x", max_tokens=64, messages=USER) as stream:
        assert stream.get_final_text() == MESSAGE
    with client.messages.stream(model="claude-x", max_tokens=64, messages=USER) as stream:
        final = stream.get_final_message()
    assert final.role == "assistant"
    assert final.stop_reason == "end_turn"
    assert [b.type for b in final.content] == ["text"]


# --- across APIs: wire format ------------------------------------------------------------

ALL: list[tuple[Api, bool]] = [
    (api, stream)
    for api in ("openai_chat", "openai_responses", "anthropic_messages")
    for stream in (False, True)
]


@pytest.mark.parametrize(("api", "stream"), ALL)
def test_status_and_declared_charset(api: Api, stream: bool) -> None:
    status, headers, body = block_response(api, stream=stream, model=None, message=MESSAGE)
    assert status == (200 if stream else 403)
    expected = "text/event-stream" if stream else "application/json"
    assert headers["content-type"] == f"{expected}; charset=utf-8"
    assert MESSAGE.encode("utf-8") in body  # raw UTF-8, not \u escapes


@pytest.mark.parametrize(("api", "stream"), ALL)
def test_missing_model_falls_back_to_leitplanke(api: Api, stream: bool) -> None:
    _, _, body = block_response(api, stream=stream, model=None, message=MESSAGE)
    if stream:
        assert '"model":"leitplanke"' in body.decode()


def test_custom_code_reaches_openai_error() -> None:
    _, _, body = block_response(
        "openai_chat", stream=False, model=None, message="x", code="leitplanke_oversize"
    )
    assert json.loads(body)["error"]["code"] == "leitplanke_oversize"


TRICKY = 'Zeile 1\nZeile 2 "zitiert" \\ Ende\u2028Absatz\u2029Schluss\x85'


@pytest.mark.parametrize(("api", "stream"), [a for a in ALL if a[1]])
def test_stream_frames_survive_newlines_and_unicode_separators(api: Api, stream: bool) -> None:
    _, _, body = block_response(api, stream=stream, model="m", message=TRICKY)
    text = body.decode("utf-8")
    # No raw U+2028/U+2029/U+0085 on the wire: a str.splitlines() reader sees the same lines.
    assert text.splitlines() == text.split("\n")[:-1]
    if api == "openai_chat":
        client, _ = openai_client(api, stream=True, message=TRICKY)
        chunks = client.chat.completions.create(model="m", messages=USER, stream=True)
        assert "".join(c.choices[0].delta.content or "" for c in chunks) == TRICKY
    elif api == "openai_responses":
        client, _ = openai_client(api, stream=True, message=TRICKY)
        with client.responses.stream(model="m", input="x") as events:
            assert events.get_final_response().output_text == TRICKY
    else:
        aclient, _ = anthropic_client(stream=True, message=TRICKY)
        with aclient.messages.stream(model="m", max_tokens=8, messages=USER) as events:
            assert events.get_final_text() == TRICKY


def test_each_stream_gets_fresh_ids() -> None:
    first = block_response("anthropic_messages", stream=True, model=None, message="x")[2]
    second = block_response("anthropic_messages", stream=True, model=None, message="x")[2]
    assert first != second


# --- strict shape check against the SDK's own models ----------------------------------
# The SDKs parse leniently; validating catches fields a stricter client would miss.


def sse_payloads(body: bytes) -> Iterator[dict[str, Any]]:
    for frame in body.decode("utf-8").split("\n\n"):
        data = [line[len("data: ") :] for line in frame.split("\n") if line.startswith("data: ")]
        if data and data[0] != "[DONE]":
            yield json.loads(data[0])


def by_type(union: Any) -> dict[str, type[BaseModel]]:
    """Map each member of an SDK event union to its `type` literal."""
    if typing.get_origin(union) is typing.Annotated:
        union = typing.get_args(union)[0]
    members: tuple[type[BaseModel], ...] = typing.get_args(union)
    return {typing.get_args(m.model_fields["type"].annotation)[0]: m for m in members}


@pytest.mark.parametrize(
    ("api", "model_for"),
    [
        ("openai_chat", lambda _: ChatCompletionChunk),
        ("openai_responses", by_type(ResponseStreamEvent).__getitem__),
        ("anthropic_messages", by_type(RawMessageStreamEvent).__getitem__),
    ],
)
def test_stream_events_validate_against_sdk_models(
    api: Api, model_for: Callable[[str], type[BaseModel]]
) -> None:
    _, _, body = block_response(api, stream=True, model="m", message=MESSAGE)
    payloads = list(sse_payloads(body))
    assert payloads
    for payload in payloads:
        model_for(payload.get("type", "")).model_validate(payload)


def test_anthropic_error_validates_against_sdk_model() -> None:
    from anthropic.types import ErrorResponse

    _, _, body = block_response("anthropic_messages", stream=False, model=None, message=MESSAGE)
    assert ErrorResponse.model_validate(json.loads(body)).error.message == MESSAGE


# --- generic: services without a dedicated wire format ------------------------------------


class PageText(HTMLParser):
    """The text a browser shows inside <main>, one entry per paragraph."""

    def __init__(self) -> None:
        super().__init__()
        self.paragraphs: list[str] = []
        self.tags: list[str] = []
        self._in_p = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "p":
            self._in_p = True
            self.paragraphs.append("")
        elif tag == "br" and self._in_p:
            self.paragraphs[-1] += "\n"

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_p = False

    def handle_data(self, data: str) -> None:
        if self._in_p:
            self.paragraphs[-1] += data


def page_text(body: bytes) -> PageText:
    parser = PageText()
    parser.feed(body.decode("utf-8"))
    parser.close()
    return parser


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "kind"),
    [
        ("application/json", "json"),
        ("application/json, text/plain, */*", "json"),  # axios
        ("text/event-stream", "json"),  # ChatGPT web's conversation request
        ("Text/Event-Stream", "json"),
        ("application/vnd.api+json", "html"),  # not application/json
        (BROWSER_ACCEPT, "html"),
        ("*/*", "html"),
        ("", "html"),
        (None, "html"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_generic_json_or_html_by_accept(accept: str | None, kind: str, stream: bool) -> None:
    status, headers, body = block_response(
        "generic", stream=stream, model="m", message=MESSAGE, accept=accept
    )
    assert status == 403
    if kind == "json":
        assert headers["content-type"] == "application/json; charset=utf-8"
        error = json.loads(body)["error"]
        assert error["message"] == MESSAGE
        assert error["type"] == "policy_violation"
        assert error["code"] == "leitplanke_policy_block"
    else:
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert body.startswith(b"<!doctype html>\n")


def test_generic_json_error_carries_custom_code() -> None:
    _, _, body = block_response(
        "generic",
        stream=False,
        model=None,
        message="x",
        code="leitplanke_oversize",
        accept="application/json",
    )
    assert json.loads(body)["error"]["code"] == "leitplanke_oversize"


def test_generic_json_error_is_what_the_openai_sdk_reads() -> None:
    status, headers, body = block_response(
        "generic", stream=False, model=None, message=MESSAGE, accept="application/json"
    )
    lib = http_lib(openai)
    client = openai.OpenAI(
        api_key="sk-test",
        base_url="http://testserver/v1",
        http_client=lib.Client(
            transport=lib.MockTransport(
                lambda _: lib.Response(status, headers=headers, content=body)
            )
        ),
    )
    with pytest.raises(openai.PermissionDeniedError) as info:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    assert info.value.body is not None and MESSAGE in str(info.value.body)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_generic_html_page(lang: str) -> None:
    message = 'Gesperrt: <script>alert("x")</script> & Grüße – Müller ⚠️'
    _, headers, body = block_response(
        "generic", stream=False, model=None, message=message, lang=lang
    )
    page = body.decode("utf-8")
    assert page.startswith("<!doctype html>")
    assert f'<html lang="{lang}">' in page
    assert "<title>Leitplanke</title>" in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<meta charset="utf-8">' in page
    # Escaped, and the umlauts, dash and emoji are raw UTF-8, not entities.
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Grüße – Müller ⚠️" in page
    assert page_text(body).paragraphs == [message]
    # Self-contained: no script, no external resource, locked down by CSP as well.
    parsed = page_text(body)
    assert "script" not in parsed.tags and "link" not in parsed.tags and "img" not in parsed.tags
    assert "http" not in page.lower() and "src=" not in page and "url(" not in page
    assert "default-src 'none'" in headers["content-security-policy"]


def test_generic_html_default_lang_is_german() -> None:
    _, _, body = block_response("generic", stream=False, model=None, message=MESSAGE)
    assert b'<html lang="de">' in body


def test_generic_html_lang_attribute_is_escaped() -> None:
    _, _, body = block_response(
        "generic", stream=False, model=None, message="x", lang='de"><script>'
    )
    assert b"<script>" not in body


def test_generic_html_newlines_become_paragraphs_and_breaks() -> None:
    message = "Zeile 1\nZeile 2\r\n\r\nAbsatz 2\n \nAbsatz 3\n"
    _, _, body = block_response("generic", stream=False, model=None, message=message)
    assert page_text(body).paragraphs == ["Zeile 1\nZeile 2", "Absatz 2", "Absatz 3"]
    assert b"<p>Zeile 1<br>Zeile 2</p>" in body


@pytest.mark.parametrize(("api", "stream"), ALL)
def test_accept_and_lang_do_not_change_provider_answers(api: Api, stream: bool) -> None:
    plain = block_response(api, stream=stream, model="m", message=MESSAGE)
    shaped = block_response(
        api, stream=stream, model="m", message=MESSAGE, accept=BROWSER_ACCEPT, lang="en"
    )
    assert shaped[0] == plain[0]
    assert shaped[1].keys() == plain[1].keys()
    assert shaped[1]["content-type"] == plain[1]["content-type"]
    if not stream:  # streams carry fresh ids
        assert shaped[2] == plain[2]


# --- further provider APIs and web apps ------------------------------------------------------


def sse_events(body: bytes) -> list[tuple[str | None, str]]:
    """(event name, data) per SSE frame, as an EventSource-style reader splits them."""
    frames = []
    for block in body.decode("utf-8").split("\n\n"):
        if not block.strip():
            continue
        name, data = None, []
        for line in block.split("\n"):
            field, _, value = line.partition(": ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
        frames.append((name, "\n".join(data)))
    return frames


def test_openai_legacy_completions_stream_and_embeddings_error() -> None:
    client, _ = openai_client("openai_completions", stream=True)
    chunks = list(
        client.completions.create(model="gpt-3.5-turbo-instruct", prompt="x", stream=True)
    )
    assert "".join(c.choices[0].text for c in chunks) == MESSAGE
    assert chunks[-1].choices[0].finish_reason == "stop"
    client, upstream = openai_client("openai_embeddings", stream=False)
    with pytest.raises(openai.PermissionDeniedError) as info:
        client.embeddings.create(model="text-embedding-3-small", input="IBAN")
    assert MESSAGE in info.value.message
    assert upstream.calls == 1


@pytest.mark.parametrize("stream", [False, True])
def test_gemini_api_gets_a_google_rpc_error(stream: bool) -> None:
    status, headers, body = block_response(
        "gemini_generate", stream=stream, model=None, message=MESSAGE
    )
    assert status == 403
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body) == {
        "error": {"code": 403, "message": MESSAGE, "status": "PERMISSION_DENIED"}
    }


@pytest.mark.parametrize("api", ["ollama_chat", "ollama_generate"])
@pytest.mark.parametrize("stream", [False, True])
def test_ollama_gets_its_error_object(api: Api, stream: bool) -> None:
    status, headers, body = block_response(api, stream=stream, model="llama3", message=MESSAGE)
    assert status == 403
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body) == {"error": MESSAGE}  # what the ollama clients raise with


def test_chatgpt_web_gets_the_message_as_its_conversation_stream() -> None:
    status, headers, body = block_response(
        "chatgpt_web", stream=True, model="gpt-4o", message=MESSAGE
    )
    assert status == 200
    assert headers["content-type"].startswith("text/event-stream")
    frames = sse_events(body)
    assert frames[-1] == (None, "[DONE]")
    data = [json.loads(d) for _, d in frames[:-1]]
    messages = [d["message"] for d in data if "message" in d]
    final = messages[-1]
    assert final["author"]["role"] == "assistant"
    assert final["content"] == {"content_type": "text", "parts": [MESSAGE]}
    assert final["status"] == "finished_successfully"
    assert final["metadata"]["model_slug"] == "gpt-4o"
    assert len({m["id"] for m in messages}) == 1
    assert len({d["conversation_id"] for d in data}) == 1
    assert data[-1]["type"] == "message_stream_complete"


def test_claude_web_gets_the_message_as_a_messages_stream() -> None:
    status, headers, body = block_response("claude_web", stream=False, model=None, message=MESSAGE)
    assert status == 200
    assert headers["content-type"].startswith("text/event-stream")
    frames = [(name, json.loads(data)) for name, data in sse_events(body)]
    assert [name for name, _ in frames] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert all(data["type"] == name for name, data in frames)
    text = "".join(d["delta"]["text"] for n, d in frames if n == "content_block_delta")
    assert text == MESSAGE
    assert frames[0][1]["message"]["role"] == "assistant"


@pytest.mark.parametrize(
    ("api", "status", "content_type"),
    [
        ("gemini_web", 200, "application/json"),  # )]}' and length-prefixed chunks
        ("perplexity_web", 200, "text/event-stream"),
        ("deepseek_web", 200, "text/event-stream"),
        ("lechat_chat", 200, "text/plain"),  # numbered N:{"json": …} lines
        ("lechat_web", 403, "application/json"),  # tRPC error
        ("lechat_upload", 403, "application/json"),
        ("poe_graphql", 200, "application/json"),  # a refused send (status, statusMessage)
        ("poe_upload", 200, "application/json"),
        ("huggingchat", 403, "application/json"),  # {"message": …}
        ("m365_upload", 403, "application/json"),
    ],
)
@pytest.mark.parametrize("accept", [None, "application/json", "text/html"])
def test_web_apps_get_their_own_format_whatever_they_accept(
    api: Api, status: int, content_type: str, accept: str | None
) -> None:
    """Read by the reference clients in tests/answers/test_web_answers.py."""
    got_status, headers, body = block_response(
        api, stream=True, model=None, message=MESSAGE, accept=accept
    )
    assert (got_status, headers["content-type"].split(";")[0]) == (status, content_type)
    assert MESSAGE in body.decode() or json.dumps(MESSAGE)[1:-1] in body.decode()


@pytest.mark.parametrize(
    ("line", "links"),
    [
        (
            "Freigabe beantragen: http://leitplanke.portal/approval?service=openai-api "
            "(Hinweise zum Antrag: https://intranet.example/ki-antrag)",
            [
                "http://leitplanke.portal/approval?service=openai-api",
                "https://intranet.example/ki-antrag",
            ],
        ),
        (
            "Begründen Sie es kurz hier: http://leitplanke.portal/coach/Ab_9-x.",
            ["http://leitplanke.portal/coach/Ab_9-x"],
        ),
        ('Kein Link: javascript:alert(1) "http://x.example/<b>"', ["http://x.example/"]),
        ("Fragen: datenschutz@muster.example", []),
    ],
)
def test_generic_html_page_links_the_urls_in_the_message(line: str, links: list[str]) -> None:
    _, _, body = block_response("generic", stream=False, model=None, message=line)
    parsed = page_text(body)
    assert parsed.paragraphs == [line]  # the text reads the same
    hrefs = re.findall(r'<a href="([^"]*)" rel="noreferrer">', body.decode())
    assert [h.replace("&amp;", "&") for h in hrefs] == links
    assert "<b>" not in body.decode() and "javascript:alert" not in "".join(hrefs)
