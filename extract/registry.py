"""Which extractor reads a request, and reading it (like mitmproxy's contentviews).

Pure functions without mitmproxy: the guard passes (family, method, path, body) in and
scans the returned TextParts. Everything a caller puts in front of the model counts —
system prompts, prior assistant turns, tool calls and tool results, inline files —
because pasted personal data travels in all of them.

One extractor per wire format, chosen by the catalog's extractor id (the family) and
the request path: the provider APIs (extract/openai.py incl. Azure and Ollama's OpenAI
compatibility, anthropic.py, gemini.py, ollama.py) and the web apps (extract/web/:
ChatGPT, Claude, Gemini, Perplexity, DeepSeek, Le Chat, Poe, HuggingChat, M365
Copilot's uploads). Every other body to an AI host gets the generic one (generic.py):
JSON string leaves, form fields, multipart text parts and file names, or the whole text
body. Location formats: extract/model.py.
"""

import re
from dataclasses import replace
from email.message import Message
from urllib.parse import unquote

from extract import anthropic, bedrock, gemini, generic, ollama, openai
from extract.body_decode import utf8_body
from extract.json_walk import load_json, parse_json
from extract.media import media_type
from extract.model import Api, ExtractError, Prompt, Reader
from extract.path import JSON_ROOT, ROOT
from extract.raw_json import raw_parts
from extract.residual import consumed_paths, residual
from extract.web import chatgpt, claude, deepseek, huggingchat, lechat, perplexity, poe
from extract.web import copilot as copilot_web
from extract.web import gemini as gemini_web

# Routes per family: a regex searched against the normalized path (so that a proxy
# prefix such as /api/openai/v1/... still matches), tried in order. Ollama's native API
# is accepted on OpenAI-compatible hosts as well (self-hosted gateways serve both).
_DEPLOYMENT = r"/openai/deployments/[^/]+"  # Azure OpenAI


_OPENAI_ROUTES: tuple[tuple[str, Api], ...] = (
    (rf"(?:/v1|{_DEPLOYMENT})/chat/completions$", "openai_chat"),
    (r"(?:/v1|/openai)/responses$", "openai_responses"),
    (rf"(?:/v1|{_DEPLOYMENT})/completions$", "openai_completions"),
    (rf"(?:/v1|{_DEPLOYMENT})/embeddings$", "openai_embeddings"),
    (r"/api/chat$", "ollama_chat"),
    (r"/api/generate$", "ollama_generate"),
)


_GEMINI_MODEL = r"/(?:models|tunedModels)/[^/:]+:(?:generateContent|streamGenerateContent)$"


_ROUTES: dict[str, tuple[tuple[str, Api], ...]] = {
    "openai": _OPENAI_ROUTES,
    "ollama": _OPENAI_ROUTES,
    "anthropic": ((r"/v1/messages$", "anthropic_messages"),),
    "gemini": (
        # Gemini API (/v1beta/models/m:…) and Vertex AI (…/publishers/google/models/m:…)
        (_GEMINI_MODEL, "gemini_generate"),
        (r"/openai/chat/completions$", "openai_chat"),  # Gemini's OpenAI compatibility
        # Vertex AI partner models: Claude's Messages body (anthropic_version
        # "vertex-2023-10-16"), and the OpenAI-compatible endpoint
        (r"/publishers/anthropic/models/[^/:]+:(?:stream)?[rR]awPredict$", "anthropic_messages"),
        (r"/endpoints/openapi/chat/completions$", "openai_chat"),
    ),
    "bedrock": (
        (r"^/model/.+/invoke(?:-with-response-stream)?$", "bedrock_invoke"),
        (r"^/model/.+/converse(?:-stream)?$", "bedrock_converse"),
        # OpenAI-compatible (bedrock-runtime /openai/v1, bedrock-mantle /v1) and
        # Anthropic-compatible (bedrock-mantle /anthropic/v1) APIs answer like those SDKs
        (r"/v1/chat/completions$", "openai_chat"),
        (r"/v1/responses$", "openai_responses"),
        (r"/v1/messages$", "anthropic_messages"),
        (r"", "bedrock_other"),  # agents, guardrails, async invoke: Bedrock's answer
    ),
    "chatgpt-web": ((r"^/backend-(?:api|anon)(?:/f)?/conversation$", "chatgpt_web"),),
    "claude-web": (
        (
            r"^/api/organizations/[^/]+/chat_conversations/[^/]+/(?:retry_)?completion$",
            "claude_web",
        ),
        # Uploads (/api/<org>/upload, /api/organizations/<org>/upload) are multipart:
        # the generic extractor reads their text and file contents.
    ),
    "gemini-web": ((r"/assistant\.lamda\.BardFrontendService/StreamGenerate$", "gemini_web"),),
    "perplexity-web": ((r"^/rest/sse/perplexity_ask$", "perplexity_web"),),
    # A new message and an edited one stream the same answer.
    "deepseek-web": ((r"^/api/v0/chat/(?:completion|edit_message)$", "deepseek_web"),),
    "lechat-web": (
        (r"^/api/chat$", "lechat_chat"),
        # tRPC batches name their procedures comma-separated in the path.
        (r"^/api/trpc/(?:[^/]*,)?file\.uploadFile(?:,[^/]*)?$", "lechat_upload"),
        (r"^/api/trpc/[^/]+$", "lechat_web"),
    ),
    "poe-graphql": (
        (r"^/api/gql_POST$", "poe_graphql"),
        (r"^/api/gql_upload_POST$", "poe_upload"),
    ),
    # A new conversation (/conversation) and a message (/conversation/<id>).
    "huggingchat": ((r"^(?:/chat)?/conversation(?:/[^/]+)?$", "huggingchat"),),
    # The chat goes over the WebSocket (proxy_addon/websocket_guard.py); M365 Copilot
    # uploads files first, as a data URL in a form.
    "copilot-ws": ((r"^/m365Copilot/UploadFile$", "m365_upload"),),
}


def match_endpoint(family: str, method: str, path: str) -> Api:
    """Which API reads a request: a dedicated extractor for the POST routes it knows."""
    if method.upper() == "POST":
        route = _normalize_path(path)
        for pattern, api in _ROUTES.get(family, ()):
            if re.search(pattern, route):
                return api
    # Every other body to an AI host (batches, token counting, file uploads, families
    # and paths without a dedicated extractor, bodies of DELETE, QUERY, GET …) is read
    # generically, so that nothing reaches an AI service unscanned.
    return "generic"


def _normalize_path(path: str) -> str:
    # Upstreams tolerate %-escapes, doubled and trailing slashes; so must we,
    # or "/v1//messages/" would slip past unscanned.
    route = path.split("?", 1)[0].split("#", 1)[0]
    route = re.sub(r"/{2,}", "/", unquote(route))
    return route.rstrip("/")


# Every Api's reader; each module contributes its own.
READERS: dict[Api, Reader] = {
    **openai.READERS,
    **ollama.READERS,
    **anthropic.READERS,
    **gemini.READERS,
    **bedrock.READERS,
    **chatgpt.READERS,
    **claude.READERS,
    **gemini_web.READERS,
    **perplexity.READERS,
    **deepseek.READERS,
    **lechat.READERS,
    **poe.READERS,
    **huggingchat.READERS,
    **copilot_web.READERS,
    **generic.READERS,
}


def extract(api: Api, body: bytes, content_type: str | None = None) -> Prompt:
    """Parse a request body and collect its prompt text; raise ExtractError if malformed.

    content_type (the request's Content-Type header) matters for "generic" and the web
    apps with form or multipart bodies; the provider APIs are JSON whatever a client
    declares. A body in UTF-16/32 or with a byte order mark is read as the UTF-8 it
    stands for. What a dedicated extractor leaves of a JSON body is scanned too
    (extract/residual.py): its parts follow the extractor's.
    """
    reader = READERS.get(api)
    if reader is None:
        raise ExtractError(f"no extractor for {api}")
    body, content_type = _as_utf8(body, content_type)
    try:
        prompt = reader(body, content_type)
        return prompt if api == "generic" else _with_residual(prompt, body)
    except RecursionError:
        # Backstop only: readers bound their depth, json.dumps of tool input may not.
        raise ExtractError("request body is nested too deeply") from None


def read(api: Api, body: bytes, content_type: str | None = None) -> tuple[Prompt, str | None]:
    """The prompt in a body, and why it had to be read as raw text (None if it did not).

    A body that is not what the endpoint expects is still scanned whole rather than let
    through: as generic JSON when it parses (every leaf at its path), else leniently
    (extract/raw_json.py: string literals decoded, and the text between them).
    """
    try:
        return extract(api, body, content_type), None
    except ExtractError as exc:
        error = f"unparsed_body: {exc}"
    body, content_type = _as_utf8(body, content_type)
    _, charset = media_type(content_type)
    # A byte that is no text is dropped (as the checker drops invisible characters):
    # "D\xffE89…" reads as the IBAN a lenient upstream's reader shows with a U+FFFD.
    text = body.decode(charset or "utf-8", errors="ignore")
    try:
        found = residual(parse_json(text), JSON_ROOT)
    except ExtractError:
        found = raw_parts(text)
    return Prompt(api=api, parts=tuple(found), stream=False, model=None), error


def _as_utf8(body: bytes, content_type: str | None) -> tuple[bytes, str | None]:
    _, charset = media_type(content_type)
    utf8 = utf8_body(body, charset)
    if utf8 is None:
        return body, content_type
    header = Message()
    header["content-type"] = content_type or "text/plain"
    header.set_param("charset", "utf-8")
    return utf8, header["content-type"] if content_type else None


def _with_residual(prompt: Prompt, body: bytes) -> Prompt:
    """The prompt with what its extractor left of a JSON body (forms and multipart
    bodies of web apps are read whole by their extractors)."""
    if body.lstrip()[:1] not in (b"{", b"["):
        return prompt
    try:
        data = load_json(body)
    except ExtractError:
        return prompt
    rest = residual(data, ROOT, consumed_paths(prompt))
    # In front: the checker joins adjacent parts at their seams (checker/seams.py), and
    # a value split over the extractor's last parts must not run into a residual one.
    return replace(prompt, parts=(*rest, *prompt.parts), residual=len(rest))
