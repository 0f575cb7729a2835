"""Mistral Le Chat: POST /api/trpc/<procedure>[?batch=1].

tRPC with the superjson transformer: {"0": {"json": {...}, "meta": {...}}} in a batch,
{"json": {...}} without. Every string leaf of each "json" value, with its exact path.
"""

from extract.json_walk import as_object, json_leaves, load_object
from extract.model import Api, Found, Prompt, Reader, prompt_of
from extract.path import JSON_ROOT, ROOT


def _lechat(body: bytes, content_type: str | None) -> Prompt:
    data = load_object(body)
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
    return prompt_of("lechat_web", found, stream=False, model=model)


READERS: dict[Api, Reader] = {"lechat_web": _lechat}
