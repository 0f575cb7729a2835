"""Every extractor on bad input: a Prompt or an ExtractError, never another exception.

The property (check_extract): extract(api, body, content_type) returns a Prompt of that
api whose parts are non-blank text with string locations, or raises ExtractError — the
defined failure the guard turns into "unparsed_body" (the raw body is scanned). The
error message and the locations never carry body content (MARKER).
"""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from extract.model import Api, ExtractError, Prompt, TextPart
from extract.registry import extract, match_endpoint
from tests.fuzz.support import (
    APIS,
    CHARSETS,
    FIXTURES,
    FORM_TYPE,
    HF_BOUNDARY,
    JSON_APIS,
    JSON_FIXTURES,
    MARKER,
    MEDIA,
    PROFILE,
    _files,
    budget,
    chunked,
    content_types,
    dump,
    fixture_body,
    json_values,
    mutated_bytes,
    mutated_document,
    tick,
    top_level,
)


def check_extract(api: Api, body: bytes, content_type: str | None) -> Prompt | None:
    """The property every extractor test checks; the Prompt, or None for an ExtractError."""
    try:
        prompt = extract(api, body, content_type)
    except ExtractError as exc:
        assert MARKER not in str(exc), "an error message echoes body content"
        return None
    assert isinstance(prompt, Prompt) and prompt.api == api
    assert isinstance(prompt.stream, bool)
    assert prompt.model is None or isinstance(prompt.model, str)
    for part in prompt.parts:
        assert isinstance(part, TextPart)
        assert isinstance(part.location, str) and part.location
        assert isinstance(part.text, str) and part.text.strip()
        assert MARKER not in part.location, "a location carries body content"
    for where in prompt.unscanned:
        assert isinstance(where, str) and MARKER not in where
    return prompt


apis = st.sampled_from(APIS)


# --- random JSON, wrong types at known keys -------------------------------------------


@budget(4)
@given(
    api=apis,
    value=st.one_of(top_level, json_values()),
    ensure_ascii=st.booleans(),
    content_type=st.one_of(st.just("application/json"), content_types),
)
@example(
    api="openai_chat", value={"messages": {"role": "user"}}, ensure_ascii=True, content_type=None
)
@example(
    api="anthropic_messages",
    value={"messages": [{"content": [7]}]},
    ensure_ascii=True,
    content_type=None,
)
@example(
    api="generic",
    value={},
    ensure_ascii=False,
    content_type="application/json; charset=\udcff; \x80",
)  # was a UnicodeEncodeError
def test_random_json(api: Api, value: object, ensure_ascii: bool, content_type: str | None) -> None:
    tick()
    check_extract(api, dump(value, ensure_ascii), content_type)


@budget(4)
@given(name=st.sampled_from(JSON_FIXTURES), data=st.data(), ensure_ascii=st.booleans())
def test_fixture_with_wrong_types(name: str, data: st.DataObject, ensure_ascii: bool) -> None:
    """A real body with values replaced by random JSON, deleted, or wrapped."""
    tick()
    api, _, _, content_type = FIXTURES[name]
    body = dump(data.draw(mutated_document(name)), ensure_ascii)
    check_extract(api, body, content_type)
    check_extract("generic", body, content_type)


# --- damaged bytes of real bodies --------------------------------------------------------


@budget(4)
@given(name=st.sampled_from(sorted(FIXTURES)), data=st.data())
def test_fixture_bytes_damaged(name: str, data: st.DataObject) -> None:
    """Truncation, bit flips, invalid UTF-8, deleted and repeated ranges."""
    tick()
    api, _, _, content_type = FIXTURES[name]
    body = data.draw(mutated_bytes(fixture_body(name)))
    check_extract(api, body, content_type)
    check_extract("generic", body, content_type)


def test_every_truncation_of_every_fixture() -> None:
    """Each fixture cut at every offset (every 7th under the "ci" profile), read by its
    own extractor and by the generic one."""
    step = 7 if PROFILE == "ci" else 1
    for name, (api, _, _, content_type) in FIXTURES.items():
        body = fixture_body(name)
        for cut in range(0, len(body) + 1, step):
            tick()
            check_extract(api, body[:cut], content_type)
            check_extract("generic", body[:cut], content_type)


@budget(4)
@given(api=apis, body=st.binary(max_size=512), content_type=content_types)
@example(api="generic", body=b"\xff\xfe{", content_type="application/json; charset=utf-16")
def test_random_bytes(api: Api, body: bytes, content_type: str | None) -> None:
    tick()
    check_extract(api, body, content_type)


# --- empty bodies, content types ----------------------------------------------------------

EMPTY_TYPES = (
    None,
    "",
    "application/json",
    FORM_TYPE,
    "text/plain; charset=bogus",
    f"multipart/form-data; boundary={HF_BOUNDARY}",
    "multipart/form-data",
)


@pytest.mark.parametrize("content_type", EMPTY_TYPES)
@pytest.mark.parametrize("api", APIS)
def test_empty_and_blank_bodies(api: Api, content_type: str | None) -> None:
    for body in (b"", b" ", b"\r\n", b"\x00", b"{}", b"[]", b"null", b'""', b"--"):
        tick()
        check_extract(api, body, content_type)


@budget(2)
@given(name=st.sampled_from(sorted(FIXTURES)), content_type=content_types)
def test_fixture_under_random_content_type(name: str, content_type: str | None) -> None:
    tick()
    api = FIXTURES[name][0]
    check_extract(api, fixture_body(name), content_type)
    check_extract("generic", fixture_body(name), content_type)


# --- deep nesting --------------------------------------------------------------------------

# Where the nesting sits: the known keys whose values the extractors walk or json.dumps.
DEEP_TEMPLATES = (
    "{}",
    '{{"messages": {}}}',
    '{{"messages": [{{"role": "user", "content": {}}}]}}',
    '{{"messages": [{{"role": "assistant", '
    '"tool_calls": [{{"function": {{"arguments": {}}}}}]}}]}}',
    '{{"messages": [{{"role": "user", "content": [{{"type": "tool_use", "input": {}}}]}}]}}',
    '{{"messages": [{{"role": "user", "content": [{{"type": "tool_result", "content": {}}}]}}]}}',
    '{{"contents": [{{"parts": [{{"functionCall": {{"args": {}}}}}]}}]}}',
    '{{"input": [{{"type": "function_call", "arguments": {}}}]}}',
    '{{"0": {{"json": {}}}}}',
    '{{"variables": {}}}',
    '{{"prompt": {}}}',
)
NESTERS = (
    ("[", "]"),
    ('{"a":', "}"),
    ('{"content":', "}"),
    ('[{"type":"tool_result","content":', "}]"),
    ('{"0":', "}"),
    ('[{"text":', "}]"),
)


@st.composite
def deep_json(draw: st.DrawFn) -> str:
    depth = draw(st.sampled_from([63, 64, 65, 500, 999, 1000, 1001, 5000]) | st.integers(1, 3000))
    if draw(st.integers(0, 19)) == 0:
        depth = 100_000
    opener, closer = draw(st.sampled_from(NESTERS))
    leaf = draw(st.sampled_from(['"x y"', "1", "null", "[]", "{}", '"' + MARKER + '"']))
    closing = closer * (depth if draw(st.integers(0, 4)) else draw(st.integers(0, depth)))
    return opener * depth + leaf + closing


@budget(1)
@given(api=apis, template=st.sampled_from(DEEP_TEMPLATES), inner=deep_json())
@example(api="openai_chat", template=DEEP_TEMPLATES[3], inner="[" * 990 + "]" * 990)
@example(api="anthropic_messages", template=DEEP_TEMPLATES[4], inner="[" * 990 + "]" * 990)
def test_deeply_nested_json(api: Api, template: str, inner: str) -> None:
    tick()
    body = template.format(inner).encode()
    check_extract(api, body, "application/json")
    if api == "generic":
        check_extract(api, body, "text/plain")


@budget(0.3)
@given(inner=deep_json(), embedded=st.booleans())
def test_deeply_nested_web_bodies(inner: str, embedded: bool) -> None:
    """Gemini web's f.req (JSON, or JSON in a JSON string) and HuggingChat's data part."""
    tick()
    req = json.dumps([None, inner]) if embedded else inner
    check_extract("gemini_web", f"f.req={quote_plus(req)}&at=x".encode(), FORM_TYPE)
    body = (
        f'--{HF_BOUNDARY}\r\nContent-Disposition: form-data; name="data"\r\n\r\n'
        f"{inner}\r\n--{HF_BOUNDARY}--\r\n"
    ).encode()
    check_extract("huggingchat", body, f"multipart/form-data; boundary={HF_BOUNDARY}")


def test_duplicate_keys_are_refused() -> None:
    for api in JSON_APIS:
        tick()
        prompt = check_extract(api, b'{"messages": [], "messages": [1]}', None)
        if api == "lechat_upload":  # readable or not, an unseen upload: the raw body scanned
            assert prompt is not None and prompt.unseen == ("body",)
            assert [p.location for p in prompt.parts] == ["body"]
        else:
            assert prompt is None


# --- huge strings and arrays ------------------------------------------------------------


@st.composite
def huge_body(draw: st.DrawFn) -> tuple[Api, bytes, str]:
    size = draw(st.integers(1 << 20, 8 << 20))
    unit = draw(st.sampled_from(["a", "ä", " ", "\x00", "€", "😀", "\\", '"', "ab cd ", "\ud800"]))
    text = unit * (size // len(unit.encode("utf-8", "surrogatepass"))) + MARKER
    shape = draw(st.sampled_from(["chat", "prompt", "raw", "form", "digits", "array", "many"]))
    if shape == "chat":
        doc = {"model": "m", "messages": [{"role": "user", "content": text}]}
        return (
            draw(st.sampled_from(["openai_chat", "ollama_chat", "generic"])),
            dump(doc, False),
            ("application/json"),
        )
    if shape == "prompt":
        doc = {"prompt": text, "query_str": text}
        api = draw(st.sampled_from(["deepseek_web", "claude_web", "perplexity_web", "generic"]))
        return api, dump(doc, draw(st.booleans())), "application/json"
    if shape == "raw":
        return "generic", text.encode("utf-8", "surrogatepass"), draw(content_types) or ""
    if shape == "form":
        return (
            draw(st.sampled_from(["generic", "gemini_web"])),
            (f"q={quote(text, errors='surrogatepass')}&f.req=[]").encode(),
            FORM_TYPE,
        )
    if shape == "digits":  # beyond Python's int-string digit limit
        return draw(st.sampled_from(JSON_APIS)), b'{"n": ' + b"7" * size + b"}", "application/json"
    if shape == "array":
        return "openai_completions", b'{"prompt": [' + b"1," * (size // 2) + b"1]}", ""
    doc = {"messages": [{"role": "user", "content": "ab"}] * (size // 40)}
    return (
        draw(st.sampled_from(["openai_chat", "anthropic_messages", "generic"])),
        (dump(doc, True)),
        "application/json",
    )


@budget(0.02)
@given(case=huge_body())
def test_huge_bodies(case: tuple[Api, bytes, str]) -> None:
    tick()
    api, body, content_type = case
    check_extract(api, body, content_type)


# --- multipart ---------------------------------------------------------------------------

BOUNDARY_CHARS = "abcXYZ0123456789'()+_,-./:=? "
TRANSFER = (
    "base64",
    "quoted-printable",
    "7bit",
    "8bit",
    "binary",
    "x-uuencode",
    "uuencode",
    "bogus",
    "",
)


PAYLOADS = st.one_of(
    json_values(8).map(lambda v: dump(v, False)),
    st.binary(max_size=200),
    st.sampled_from(["pdf", "docx", "xlsx", "pptx", "png"]).map(lambda k: _files()[k]),
    st.sampled_from(
        [
            MARKER.encode(),
            MARKER.encode("utf-16"),
            b"=C3=A4=\r\n=ZZ",
            b"YWJj\n===",
            b"begin 644 x\n#86)C\n`\nend\n",
        ]
    ),
)
PART_NAMES = st.one_of(
    st.sampled_from(["data", "files", "file", "q", "", MARKER]), st.text(max_size=12)
)
FILE_NAMES = st.one_of(
    st.sampled_from(["a.pdf", "b.txt", "c.docx", "d.png", MARKER]), st.text(max_size=12)
)
BOUNDARIES = st.one_of(
    st.text(alphabet=BOUNDARY_CHARS, min_size=1, max_size=70),
    st.sampled_from(["", " ", "a b", '"', "--", "x" * 200, HF_BOUNDARY]),
    st.text(max_size=16),
)


@st.composite
def _part(draw: st.DrawFn, crlf: bytes, depth: int) -> bytes:
    headers: list[str] = []
    name = draw(PART_NAMES)
    disposition = draw(st.sampled_from(["form-data", "attachment", "inline", "", "form-data;"]))
    if draw(st.booleans()):
        disposition += f'; name="{name}"'
    if draw(st.booleans()):
        filename = draw(FILE_NAMES)
        disposition += draw(
            st.sampled_from(
                [
                    f'; filename="{filename}"',
                    f"; filename*=utf-8''{quote(filename, errors='replace')}",
                    "; filename*=bogus''%ff%fe",
                    "; filename*=utf-8'de'",
                    f"; filename={filename}",
                ]
            )
        )
    if draw(st.integers(0, 5)):
        headers.append(f"Content-Disposition: {disposition}")
    payload: bytes
    if depth < 2 and draw(st.integers(0, 9)) == 0:
        inner, inner_type = draw(multipart_body(depth + 1))
        headers.append(f"Content-Type: {inner_type}")
        payload = inner
    else:
        if draw(st.booleans()):
            media = draw(st.sampled_from(MEDIA))
            if draw(st.booleans()):
                media += f"; charset={draw(st.sampled_from(CHARSETS))}"
            headers.append(f"Content-Type: {media}")
        if draw(st.integers(0, 3)) == 0:
            headers.append(f"Content-Transfer-Encoding: {draw(st.sampled_from(TRANSFER))}")
        payload = draw(PAYLOADS)
    head = crlf.join(h.encode("utf-8", "surrogatepass") for h in headers)
    return head + crlf + crlf + payload


@st.composite
def multipart_body(draw: st.DrawFn, depth: int = 0) -> tuple[bytes, str]:
    boundary = draw(BOUNDARIES)
    declared = boundary if draw(st.integers(0, 5)) else draw(st.text(max_size=16))
    media = draw(
        st.sampled_from(
            ["multipart/form-data", "multipart/mixed", "multipart/related", "multipart/x-bogus"]
        )
    )
    param = draw(
        st.sampled_from(
            [
                f"; boundary={declared}",
                f'; boundary="{declared}"',
                "",
                f"; BOUNDARY={declared}; boundary=other",
            ]
        )
    )
    crlf = draw(st.sampled_from([b"\r\n", b"\r\n", b"\r\n", b"\n", b"\r"]))
    delimiter = b"--" + boundary.encode("utf-8", "surrogatepass")
    body = draw(st.sampled_from([b"", b"preamble" + crlf]))
    for part in draw(st.lists(_part(crlf, depth), max_size=4)):
        body += delimiter + crlf + part + crlf
    if draw(st.integers(0, 3)):
        body += delimiter + b"--" + crlf
    if draw(st.integers(0, 4)) == 0:
        body = draw(mutated_bytes(body)) if body else body
    return body, media + param


@budget(4)
@given(api=st.sampled_from(["generic", "huggingchat"]), case=multipart_body())
def test_multipart_with_broken_boundaries(api: Api, case: tuple[bytes, str]) -> None:
    tick()
    body, content_type = case
    check_extract(api, body, content_type)


@pytest.mark.parametrize("charset", ["bogus", "rot13", "hex"])
def test_huggingchat_text_part_with_an_odd_charset(charset: str) -> None:
    """Regression (fuzz): HuggingChat's text parts decoded an unknown or non-text charset
    directly and raised LookupError; now read as UTF-8 like the generic reader does."""
    tick()
    body = (
        f'--{HF_BOUNDARY}\r\nContent-Disposition: form-data; name="data"\r\n'
        f"Content-Type: text/plain; charset={charset}\r\n\r\n"
        f'{{"inputs": "Hallo Welt"}}\r\n--{HF_BOUNDARY}--\r\n'
    ).encode()
    prompt = check_extract("huggingchat", body, f"multipart/form-data; boundary={HF_BOUNDARY}")
    assert prompt is not None and [p.text for p in prompt.parts] == ["Hallo Welt"]


# --- forms ------------------------------------------------------------------------------


FIELD_NAMES = st.one_of(st.sampled_from(["f.req", "at", "q", "", MARKER]), st.text(max_size=8))
FIELD_VALUES = st.one_of(
    st.text(max_size=40),
    json_values(10).map(json.dumps),
    json_values(10).map(lambda v: json.dumps([None, json.dumps(v)])),
)


@st.composite
def form_body(draw: st.DrawFn) -> tuple[bytes, str]:
    charset = draw(st.sampled_from(CHARSETS))
    fields: list[str] = []
    for _ in range(draw(st.integers(0, 5))):
        name = draw(FIELD_NAMES)
        value = draw(FIELD_VALUES)
        how = draw(st.sampled_from(["quote", "quote", "raw", "broken"]))
        if how == "quote":
            pair = (
                quote_plus(name, errors="surrogatepass")
                + "="
                + quote_plus(value, errors="surrogatepass")
            )
        elif how == "raw":
            pair = f"{name}={value}"
        else:
            pair = draw(st.sampled_from(["%", "%z", "%f", "%zz=%", "=%C3", "a=%ff%fe", "==", "&"]))
        fields.append(pair)
    separator = draw(st.sampled_from(["&", "&", ";", "&&"]))
    body = separator.join(fields).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 5)) == 0:
        body += draw(st.sampled_from([b"\xff", b"\x00", b"%\xc3"]))
    return body, f"application/x-www-form-urlencoded; charset={charset}"


# charset=unicode-escape passes extract.media.codec; decoding "\\q" with it warns.
@pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")
@budget(3)
@given(api=st.sampled_from(["generic", "gemini_web"]), case=form_body())
def test_form_bodies(api: Api, case: tuple[bytes, str]) -> None:
    tick()
    body, content_type = case
    check_extract(api, body, content_type)


# --- chunked framing, endpoints ------------------------------------------------------------


@budget(1)
@given(
    name=st.sampled_from(sorted(FIXTURES)),
    sizes=st.lists(st.integers(1, 300), max_size=8),
    extension=st.sampled_from([b"", b";ext=1", b";" + b"x" * 100]),
    trailer=st.sampled_from([b"", b"X-Trailer: y\r\n"]),
)
def test_chunked_framing_left_in_the_body(
    name: str, sizes: list[int], extension: bytes, trailer: bytes
) -> None:
    """A body still in chunked framing (hex sizes, CRLFs) is no longer what the endpoint
    expects: ExtractError, or scanned as text."""
    tick()
    api, _, _, content_type = FIXTURES[name]
    body = chunked(fixture_body(name), sizes, extension, trailer)
    check_extract(api, body, content_type)
    check_extract("generic", body, content_type)


FAMILIES = sorted({family for _, family, _, _ in FIXTURES.values()} | {"copilot-ws", "", "x"})
PATHS = sorted({path for _, _, path, _ in FIXTURES.values()})


@budget(2)
@given(
    family=st.one_of(st.sampled_from(FAMILIES), st.text(max_size=10)),
    method=st.one_of(
        st.sampled_from(["POST", "post", "PUT", "PATCH", "GET", "DELETE", ""]), st.text(max_size=6)
    ),
    path=st.one_of(
        st.sampled_from(PATHS),
        st.sampled_from(PATHS).map(lambda p: "//" + p.replace("/", "%2F/") + "/?x#y"),
        st.text(max_size=60),
    ),
)
def test_match_endpoint(family: str, method: str, path: str) -> None:
    tick()
    api = match_endpoint(family, method, path)
    assert api is None or api in APIS


@pytest.mark.parametrize("api", ["generic", "gemini_web", "huggingchat"])
def test_content_type_with_undecodable_bytes(api: Api) -> None:
    """Regression (fuzz): a Content-Type whose parameters mix a surrogate escape (a non-UTF-8
    byte, as mitmproxy decodes headers) with a non-ASCII character made the email module
    raise UnicodeEncodeError; the charset is now ignored (read as UTF-8)."""
    tick()
    check_extract(api, b'{"inputs": "Hallo Welt"}', "application/json; charset=\udcff; \x80")
