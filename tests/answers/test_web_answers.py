"""Every web app's block answer, read by the maintained reference clients' parsing
(ported in tests/answers/reference_parsers/): the text they show is exactly the policy
message. An answer a reference parser cannot read fails here."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from answers.copilot_ws import block_frames
from answers.responders import Response, block_response
from answers.web import poe as poe_answer
from tests.answers.reference_parsers import (
    Unreadable,
    chatgpt,
    claude,
    deepseek,
    gemini,
    huggingchat,
    lechat,
    perplexity,
    poe,
)
from tests.answers.reference_parsers.copilot import gpt4free as copilot_gpt4free
from tests.answers.reference_parsers.copilot import pyrit, pyrit_upload

# A message as the gateway writes it (a coaching one, with its link), plus what breaks
# naive framing: a line break, a Unicode line separator, quotes, an astral-plane emoji
# (two UTF-16 code units), a URL with a query.
MESSAGE = (
    "⚠️ Leitplanke: Ihre Anfrage wurde noch nicht an Gemini gesendet. Sie enthält "
    "IBAN (Bankverbindung) (1×). Begründen Sie es kurz hier: "
    "http://leitplanke.portal/coach?t=Zk3_a-9&lang=de – danach 15 Minuten."
    '\nFragen: "datenschutz@muster.example" \u2028 🙂 Ende'
)


def answer(api: str, **kwargs: object) -> Response:
    options: dict[str, object] = {"stream": True, "model": None, "message": MESSAGE}
    return block_response(api, **(options | kwargs))  # type: ignore[arg-type]


Reader = Callable[[Response], str]

# (api, block_response options, reference reader)
STREAMED: list[tuple[str, dict[str, object], Reader]] = [
    ("chatgpt_web", {"encoding": "v1"}, chatgpt.gpt4free),
    ("chatgpt_web", {}, chatgpt.foxroute),
    ("claude_web", {}, claude.foxroute),
    ("gemini_web", {}, gemini.read_lines),
    ("gemini_web", {}, gemini.frames_text),
    ("perplexity_web", {"model": "pplx_pro"}, perplexity.gpt4free),
    ("perplexity_web", {}, perplexity.perplexity_cli),
    ("perplexity_web", {}, perplexity.foxroute),
    ("deepseek_web", {}, deepseek.gpt4free),
    ("deepseek_web", {}, deepseek.foxroute),
    ("lechat_chat", {}, lechat.foxroute_chat),
    ("huggingchat", {}, huggingchat.shown_for_message),
    ("huggingchat", {}, huggingchat.shown_for_new_conversation),
]


@pytest.mark.parametrize(
    ("api", "options", "read"),
    STREAMED,
    ids=[
        f"{api}-{read.__module__.rsplit('.', 1)[-1]}.{read.__name__}" for api, _, read in STREAMED
    ],
)
def test_reference_client_shows_the_message(
    api: str, options: dict[str, object], read: Reader
) -> None:
    assert read(answer(api, **options)) == MESSAGE


def test_gemini_chunks_are_complete_with_utf16_lengths() -> None:
    frames = gemini.read_frames(answer("gemini_web"))  # every chunk complete, nothing left
    assert [frame[0] for frame in frames] == ["wrb.fr", "di", "af.httprm", "e"]


def test_chatgpt_answers_in_the_encoding_asked_for() -> None:
    # A v1 client reads nothing from full-message frames, a client without v1 nothing
    # from deltas: each gets its own.
    with pytest.raises(Unreadable):
        chatgpt.gpt4free(answer("chatgpt_web"))
    v1 = answer("chatgpt_web", encoding="v1")
    assert v1[2].startswith(b'event: delta_encoding\ndata: "v1"\n\n')
    assert chatgpt.gpt4free(v1) == MESSAGE


@pytest.mark.parametrize(
    ("path", "calls"),
    [
        ("/api/trpc/message.newChat?batch=1", 1),
        ("/api/trpc/chat.list,file.uploadFile?batch=1", 2),
        ("/api/trpc/file.uploadFile", None),
    ],
)
@pytest.mark.parametrize("api", ["lechat_web", "lechat_upload"])
def test_lechat_trpc_calls_get_trpc_errors(api: str, path: str, calls: int | None) -> None:
    refused = answer(api, path=path)
    assert refused[0] == 403
    assert lechat.trpc_errors(refused, calls=calls) == [MESSAGE] * (calls or 1)


@pytest.mark.parametrize("api", ["poe_graphql", "poe_upload"])
def test_poe_send_is_refused_with_the_message(api: str) -> None:
    with pytest.raises(poe.SendRefused) as refused:
        poe.send(answer(api))
    assert str(refused.value) == MESSAGE


def test_poe_update_socket_frame_carries_the_message() -> None:
    assert poe.socket_text([poe_answer.message_added_frame(MESSAGE)]) == MESSAGE


def test_copilot_websocket_answers_are_read_by_gpt4free_and_pyrit() -> None:
    assert copilot_gpt4free(block_frames("copilot", MESSAGE, conversation_id="c-1")) == MESSAGE
    assert pyrit(block_frames("signalr", MESSAGE, invocation_id="3")) == MESSAGE


def test_m365_upload_is_refused_with_the_message() -> None:
    refused = answer("m365_upload")
    with pytest.raises(Unreadable) as error:
        pyrit_upload(refused)
    assert MESSAGE.split("\n")[0] in str(error.value)


def test_huggingchat_gets_json_whatever_it_accepts() -> None:
    for accept in (None, "*/*", "text/html"):
        status, headers, _ = answer("huggingchat", accept=accept)
        assert status == 403
        assert headers["content-type"].startswith("application/json")


# --- the parsers are not trivially satisfied: the former generic answers fail --------------

FORMER: list[tuple[str, Reader]] = [
    ("generic", gemini.read_lines),
    ("generic", perplexity.gpt4free),
    ("generic", perplexity.perplexity_cli),
    ("generic", perplexity.foxroute),
    ("generic", deepseek.gpt4free),
    ("generic", deepseek.foxroute),
    ("generic", lechat.foxroute_chat),
]


@pytest.mark.parametrize(("api", "read"), FORMER)
@pytest.mark.parametrize("accept", [None, "application/json"])
def test_reference_clients_cannot_read_the_generic_answer(
    api: str, read: Reader, accept: str | None
) -> None:
    with pytest.raises((Unreadable, ValueError)):
        read(answer(api, accept=accept))


def test_huggingchat_shows_no_message_from_the_generic_html_page() -> None:
    shown = huggingchat.shown_for_message(answer("generic"))
    assert shown == "Request failed with status code 403: Forbidden"


def test_gemini_chunk_lengths_in_code_points_would_not_be_read() -> None:
    """Why the lengths count UTF-16 units: with code points, emoji cut the chunk short."""
    status, headers, body = answer("gemini_web", message="Gesperrt 🙂🙂🙂")
    text = body.decode()
    head, _, rest = text.partition("\n\n")
    length, _, chunk = rest.partition("\n")
    payload = "\n" + chunk.split("\n", 1)[0] + "\n"
    assert int(length) == len(payload.encode("utf-16-le")) // 2 == len(payload) + 3
    broken = f"{head}\n\n{len(payload)}{payload}".encode()
    with pytest.raises(Unreadable):
        gemini.read_frames((status, headers, broken))
