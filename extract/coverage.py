"""What of a request the gateway scans, and what it ignores and why: the one table.

Every byte a vendor receives in a request to an AI host is either scanned (by a
dedicated extractor, the residual walker, the generic reader or as URL and header
text) or ignored by a row of TABLE with its reason. The code asks this module
(`header_rule`, `string_rule`); docs/security.md shows the table (a test keeps both
the same, tests/extract/test_coverage.py walks real requests against it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rules import rules_yaml


@dataclass(frozen=True)
class Rule:
    part: str  # which part of a request, as the docs name it
    scanned: bool
    why: str  # how it is scanned, or why it is not


SCANNED = (
    Rule(
        "URL path",
        True,
        "every segment, percent-decoded, joined by blanks (one part, `url.path`)",
    ),
    Rule(
        "URL query",
        True,
        "every parameter, name and value, percent-decoded (one part each, `url.query…`)",
    ),
    Rule(
        "Request headers",
        True,
        "every header not listed below, custom ones included, its name and its value "
        "(one part each, `header.<name>`); a header listed below under another name "
        "(`accept-note`, `x-stainless-note`) is scanned",
    ),
    Rule(
        "Body, any method",
        True,
        "POST, PUT, PATCH, DELETE, QUERY, OPTIONS, GET … with a body: decoded "
        "(Content-Encoding, or compression found by its magic bytes; BOM, UTF-16/32) "
        "and read by the API's extractor or the generic reader",
    ),
    Rule(
        "JSON strings",
        True,
        "structured parts of the API's extractor (messages, system prompts, tool calls, "
        "files), then every other string leaf by the residual walker at its exact path",
    ),
    Rule(
        "JSON object keys",
        True,
        "all distinct keys of the document in one part (`{keys}`); keys are data "
        "when a caller makes them so (a map keyed by e-mail address)",
    ),
    Rule(
        "JSON numbers",
        True,
        "each number as written, at its exact path (a card number sent as a number)",
    ),
    Rule(
        "Values split across leaves",
        True,
        "a run of short array elements (up to 4 characters or digits) is read as one "
        "text: an IBAN as an array of characters, a card number as an array of digits; "
        "adjacent parts are also scanned joined (checker/seams.py)",
    ),
    Rule(
        "Unparsable bodies",
        True,
        "every JSON string literal decoded (escapes undone), and the text between them",
    ),
    Rule(
        "Form fields and multipart parts",
        True,
        "names, values, file names; files by extract/file_text",
    ),
)

IGNORED = (
    Rule(
        "URL fragment (`#…`)",
        False,
        "never sent: clients keep it to themselves",
    ),
    Rule(
        "Headers `host`, `content-length`, `content-encoding`, `transfer-encoding`",
        False,
        "HTTP framing: the request's target, and grammars the gateway applies itself (a "
        "length, the codings the body is decoded by); a value outside them breaks the "
        "request. Other framing headers (`content-type` with its parameters, "
        "`connection`, `upgrade`, `expect` …) are scanned",
    ),
    Rule(
        "Headers `accept`, `accept-encoding`, `accept-language`, `accept-charset`, "
        "`cache-control`, `pragma`, `if-match`, `if-none-match`, `if-modified-since`, "
        "`if-unmodified-since`, `if-range`, `range`, `priority`, `dnt`",
        False,
        "content negotiation and caching: fixed tokens written by the client's HTTP library",
    ),
    Rule(
        "Headers `authorization`, `proxy-authorization`, `x-api-key`, `api-key`, `x-goog-api-key`",
        False,
        "credentials: the company's own key to the vendor (or the gateway's login) — "
        "the vendor needs it and keeps it as a credential, not as content sent to the "
        "model (a value written there instead of a key is refused by the vendor as a key)",
    ),
    Rule(
        "Header `cookie`",
        False,
        "session state the vendor set (Set-Cookie) or its page wrote, holding the "
        "employee's own session tokens and ids (scanning them would block every request "
        "of a web app). Not covered: a client that writes a cookie of its own can carry a "
        "value in it (docs/security.md, what is not protected)",
    ),
    Rule(
        "Header `user-agent`",
        False,
        "the client program's name and version, written by the browser or HTTP library; "
        "its product names and versions would send every request of a web app (assets "
        "too) to a checker worker. Not covered: a client that writes its own user agent "
        "can carry a value in it (docs/security.md, what is not protected)",
    ),
    Rule(
        "Header `referer`",
        False,
        "the page that made the request: set by the browser (a page script can only "
        "name its own origin's pages), which requested and scanned that page through "
        "the gateway; its conversation ids would send every request to a worker",
    ),
    Rule(
        "Headers `sec-ch-ua*`, `sec-fetch-*`, `sec-websocket-key`, `sec-websocket-version`, "
        "`sec-websocket-extensions`, `sec-websocket-protocol` (by name, BROWSER_HEADERS)",
        False,
        "written by the browser itself, not by the page: fixed tokens; the WebSocket "
        "subprotocol carries the Realtime API's key (a credential, as above)",
    ),
    Rule(
        "Headers `x-stainless-arch`, `-lang`, `-os`, `-package-version`, `-runtime`, "
        "`-runtime-version`, `-retry-count`, `-timeout`, `-read-timeout`, `-async`, "
        "`-helper-method`, `-poll-helper`, `-custom-poll-interval`, `-raw-response`, "
        "`-stream-helper`",
        False,
        "the official SDKs' telemetry: SDK, language, OS and runtime versions",
    ),
    Rule(
        "Header `traceparent` in its grammar (version, 32 and 16 hex digits, flags); "
        "`x-request-id`, `x-client-request-id` holding a UUID or 32+ hex digits",
        False,
        "random trace and request ids; any other value is scanned",
    ),
    Rule(
        "IP addresses in headers `forwarded`, `via`, `x-forwarded-*`, `x-real-ip`",
        False,
        "network addresses added by proxies on the way, not by the sender; the rest of "
        "these headers is scanned",
    ),
    Rule(
        "Tenant restriction headers (rules/tenant_headers.yaml)",
        False,
        "set by the gateway itself from the policy; a client's copy is replaced",
    ),
    Rule(
        "JSON `true`, `false`, `null`",
        False,
        "carry no text",
    ),
    Rule(
        "Vocabulary values of `role`, `type`, `object`, `status`, `detail` fields",
        False,
        "the API's fixed words (`user`, `assistant`, `input_text`, `image_url` …): "
        "lower-case letters and underscores only; any other value there is scanned",
    ),
    Rule(
        "Blank strings and UUIDs",
        False,
        "no characters to find anything in; random ids (message and conversation ids)",
    ),
    Rule(
        "Token ids (OpenAI completions `prompt`, embeddings `input` as numbers)",
        False,
        "text encoded with the model's tokenizer: a deliberate cipher (see below)",
    ),
    Rule(
        "Numbers and keys inside the JSON of Gemini web's form and HuggingChat's multipart bodies",
        False,
        "the app's own structure; their readers (extract/web/) take every string of it",
    ),
    Rule(
        "Inline images and files without text",
        False,
        "the policy's `unscanned_files` action decides (no OCR)",
    ),
)

TABLE = SCANNED + IGNORED

# Ignored by name: exact names only — a prefix ("accept-*") would let any header that
# starts like one carry a value past the gateway.
_FRAMING = frozenset({"host", "content-length", "content-encoding", "transfer-encoding"})
_NEGOTIATION = frozenset(
    {
        "accept",
        "accept-encoding",
        "accept-language",
        "accept-charset",
        "cache-control",
        "pragma",
        "if-match",
        "if-none-match",
        "if-modified-since",
        "if-unmodified-since",
        "if-range",
        "range",
        "priority",
        "dnt",
    }
)
BROWSER_HEADERS = frozenset(
    {
        *(
            f"sec-ch-ua{suffix}"
            for suffix in (
                "",
                "-mobile",
                "-platform",
                "-arch",
                "-bitness",
                "-full-version",
                "-full-version-list",
                "-model",
                "-platform-version",
                "-wow64",
                "-form-factors",
            )
        ),
        *(f"sec-fetch-{suffix}" for suffix in ("dest", "mode", "site", "user", "storage-access")),
        *(f"sec-websocket-{suffix}" for suffix in ("key", "version", "extensions", "protocol")),
    }
)
_STAINLESS = frozenset(
    f"x-stainless-{suffix}"
    for suffix in (
        "arch",
        "lang",
        "os",
        "package-version",
        "runtime",
        "runtime-version",
        "retry-count",
        "timeout",
        "read-timeout",
        "async",
        "helper-method",
        "poll-helper",
        "custom-poll-interval",
        "raw-response",
        "stream-helper",
    )
)
_TRACEPARENT = re.compile(r"[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}")
_REQUEST_IDS = frozenset({"x-request-id", "x-client-request-id"})
_RANDOM_ID = re.compile(r"(?:[a-z]{1,8}[_-])?(?:[0-9a-fA-F]{32,128}|[0-9a-fA-F-]{36})")
HOP_HEADERS = frozenset({"forwarded", "via", "x-real-ip"})
_CREDENTIALS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key"}
)
_VOCABULARY_KEYS = frozenset({"role", "type", "object", "status", "detail"})
_VOCABULARY_WORD = re.compile(r"[a-z][a-z_]{0,39}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _rule(prefix: str) -> Rule:
    return next(rule for rule in IGNORED if rule.part.startswith(prefix))


@cache
def _tenant_headers() -> frozenset[str]:
    restrictions = rules_yaml("tenant_headers.yaml")["restrictions"]
    return frozenset(entry["header"].lower() for entry in restrictions.values())


def header_rule(name: str, value: str = "") -> Rule | None:
    """The row that ignores header `name` (with `value`), or None when it is scanned.
    Hop headers (is_hop_header) are scanned without their IP addresses."""
    name = name.lower()
    if name in _FRAMING:
        return _rule("Headers `host`")
    if name in _NEGOTIATION:
        return _rule("Headers `accept`")
    if name in _CREDENTIALS:
        return _rule("Headers `authorization`")
    if name == "cookie":
        return _rule("Header `cookie`")
    if name in BROWSER_HEADERS:
        return _rule("Headers `sec-ch-ua*`")
    if name in _STAINLESS:
        return _rule("Headers `x-stainless-arch`")
    if name == "user-agent":
        return _rule("Header `user-agent`")
    if name == "referer":
        return _rule("Header `referer`")
    if (name == "traceparent" and _TRACEPARENT.fullmatch(value.strip())) or (
        name in _REQUEST_IDS and _RANDOM_ID.fullmatch(value.strip())
    ):
        return _rule("Header `traceparent`")
    if name in _tenant_headers():
        return _rule("Tenant restriction headers")
    return None


def is_hop_header(name: str) -> bool:
    """A header proxies add with network addresses in it (scanned without them)."""
    name = name.lower()
    return name in HOP_HEADERS or name.startswith("x-forwarded-")


def string_rule(value: str, key: str | None = None) -> Rule | None:
    """The row that ignores a string leaf (the value of `key`), or None when it is scanned."""
    stripped = value.strip()
    if not stripped or _UUID.fullmatch(stripped):
        return _rule("Blank strings and UUIDs")
    if key in _VOCABULARY_KEYS and _VOCABULARY_WORD.fullmatch(value):
        return _rule("Vocabulary values")
    return None


def markdown() -> str:
    """The table as docs/security.md shows it (a test keeps the two the same)."""
    lines = ["| part of a request | scanned | how, or why not |", "| --- | --- | --- |"]
    lines += [f"| {r.part} | {'yes' if r.scanned else 'no'} | {r.why} |" for r in TABLE]
    return "\n".join(lines) + "\n"


def write_docs(path: str) -> None:
    """Put the table between the markers of a Markdown file (`make docs`)."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    start, end = "<!-- coverage-table -->\n", "<!-- /coverage-table -->"
    head, rest = text.split(start, 1)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(head + start + markdown() + end + rest.split(end, 1)[1])


if __name__ == "__main__":
    import sys

    write_docs(sys.argv[1] if len(sys.argv) > 1 else "docs/security.md")
