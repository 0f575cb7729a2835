"""Mistral Le Chat: POST /api/chat and POST /api/trpc/<procedure>[?batch=1].

/api/chat sends a message: {"mode": "create"|"append", "content": …, "files": [{"type",
"url", "name"}], "chatId": …}; the answer streams (numbered `N:{"json": …}` lines).
Every string leaf is read with its exact path, except ids and the files' signed URLs.

tRPC with the superjson transformer: {"0": {"json": {...}, "meta": {...}}} in a batch,
{"json": {...}} without. Every string leaf of each "json" value, with its exact path.
`file.uploadFile` asks for signed URLs on an Azure Blob storage host outside the
catalog, to which the browser then PUTs the file: those bytes never pass the gateway,
so the request is reported as an unseen upload (policy/decide.py: with_unseen).
"""

from extract.json_walk import as_object, json_leaves, load_object, worth_scanning
from extract.model import Api, ExtractError, Found, Prompt, Reader, TextPart, Unseen, prompt_of
from extract.path import BODY, JSON_ROOT, ROOT, Path

# Ids, and the signed storage URLs of files uploaded before (no prose, and a signature).
_CHAT_SKIP = frozenset({"chatId", "messageId", "parentId", "id", "url", "agentId"})


def _lechat(body: bytes, content_type: str | None) -> Prompt:
    found, model = _trpc_calls(body)
    return prompt_of("lechat_web", found, stream=False, model=model)


def _lechat_upload(body: bytes, content_type: str | None) -> Prompt:
    try:
        found, model = _trpc_calls(body)
    except ExtractError:
        # Readable or not, the file would go where the gateway cannot see it.
        text = body.decode("utf-8", errors="replace")
        found, model = ([TextPart(BODY, text)] if worth_scanning(text) else []), None
    found.append(Unseen(BODY))
    return prompt_of("lechat_upload", found, stream=False, model=model)


def _trpc_calls(body: bytes) -> tuple[list[Found], str | None]:
    data = load_object(body)
    calls: list[tuple[Path, object]]
    if data and all(key.isascii() and key.isdigit() for key in data):
        calls = [(ROOT.key(key, i, "quoted"), value) for i, (key, value) in enumerate(data.items())]
    else:
        calls = [(ROOT, data)]
    found: list[Found] = []
    model: str | None = None
    for where, call in calls:
        obj = as_object(call, where or JSON_ROOT)
        if "json" in obj:
            payload = obj["json"]
            found.extend(json_leaves(payload, where.key("json")))
            if isinstance(payload, dict) and isinstance(payload.get("model"), str):
                model = model or payload["model"]
        else:
            found.extend(json_leaves(obj, where))
    return found, model


def _lechat_chat(body: bytes, content_type: str | None) -> Prompt:
    data = load_object(body)
    found = json_leaves(data, ROOT, skip_key=_CHAT_SKIP.__contains__)
    model = data.get("model")
    return prompt_of(
        "lechat_chat", found, stream=True, model=model if isinstance(model, str) else None
    )


READERS: dict[Api, Reader] = {
    "lechat_web": _lechat,
    "lechat_upload": _lechat_upload,
    "lechat_chat": _lechat_chat,
}
