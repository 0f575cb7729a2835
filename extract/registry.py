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
from urllib.parse import unquote

from extract import anthropic, gemini, generic, ollama, openai
from extract.model import Api, ExtractError, Prompt, Reader
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


# Methods that carry a body a web app may put a prompt in.
_GENERIC_METHODS = frozenset({"POST", "PUT", "PATCH"})


def match_endpoint(family: str, method: str, path: str) -> Api | None:
    """Which prompt-carrying API a request targets, or None if it carries no prompt."""
    if method.upper() not in _GENERIC_METHODS:
        return None
    if method.upper() == "POST":
        route = _normalize_path(path)
        for pattern, api in _ROUTES.get(family, ()):
            if re.search(pattern, route):
                return api
    # Every other body to an AI host (batches, token counting, file uploads, families
    # and paths without a dedicated extractor) is read generically, so that nothing
    # reaches an AI service unscanned.
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
    declares.
    """
    reader = READERS.get(api)
    if reader is None:
        raise ExtractError(f"no extractor for {api}")
    try:
        return reader(body, content_type)
    except RecursionError:
        # Backstop only: readers bound their depth, json.dumps of tool input may not.
        raise ExtractError("request body is nested too deeply") from None
