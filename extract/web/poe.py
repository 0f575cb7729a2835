"""Poe: POST /api/gql_POST, and POST /api/gql_upload_POST (a send with files).

gql_POST is JSON {"queryName": "sendMessageMutation", "variables": {"bot": …, "query":
…, "chatId": …, "clientNonce": …, "sdid": …, …}, "extensions": {"hash": …}}: every
string leaf of variables except ids, nonces and hashes.

gql_upload_POST follows the GraphQL multipart request spec: an "operations" part with
that same JSON (null where a file goes), a "map" part naming which file goes where
({"0": ["variables.attachments.0"]}), and the files as parts "0", "1", …, read like
any uploaded file.
"""

from collections.abc import Iterator
from email.message import Message
from typing import Any

from extract.inline_file import file_content
from extract.json_walk import (
    json_leaves,
    kind_of,
    load_object,
    optional_object,
    parse_json,
    worth_scanning,
)
from extract.media import media_type
from extract.model import Api, ExtractError, Found, Prompt, Reader, TextPart, prompt_of
from extract.path import ROOT, Path
from extract.web.parts import named_parts, part_text

_POE_SKIP = frozenset({"id", "clientNonce", "sdid", "hash", "nonce", "chatNonce"})


def _poe_skip(key: str) -> bool:
    return key in _POE_SKIP or key.endswith(("Id", "Ids", "_id", "Hash", "Jwts"))


def _variables(data: dict[str, Any], where: Path) -> tuple[list[Found], str | None]:
    variables = optional_object(data, "variables", where)
    found: list[Found] = list(json_leaves(variables, where.key("variables"), skip_key=_poe_skip))
    bot = variables.get("bot")
    return found, bot if isinstance(bot, str) else None


def _poe(body: bytes, content_type: str | None) -> Prompt:
    found, bot = _variables(load_object(body), ROOT)
    return prompt_of("poe_graphql", found, stream=False, model=bot)


def _poe_upload(body: bytes, content_type: str | None) -> Prompt:
    if not media_type(content_type)[0].startswith("multipart/"):
        raise ExtractError("expected a multipart/form-data body")
    found: list[Found] = []
    model: str | None = None
    has_operations = False
    for where, name, part in named_parts(body, content_type or ""):
        if name == "operations" and part.get_filename() is None:
            has_operations = True
            operation = _operations(part, where)
            leaves, bot = _variables(operation, where.mark("string_json", "→"))
            found.extend(leaves)
            model = model or bot
        else:  # the files, and the map (paths only, scanned all the same)
            found.extend(_file_part(part, where))
    if not has_operations:
        raise ExtractError("multipart part operations is missing")
    return prompt_of("poe_upload", found, stream=False, model=model)


def _operations(part: Message, where: Path) -> dict[str, Any]:
    try:
        operation = parse_json(part_text(part))
    except ExtractError as exc:
        raise ExtractError(f"{where}: {exc}") from None
    if not isinstance(operation, dict):
        raise ExtractError(f"{where}: expected a JSON object, got {kind_of(operation)}")
    return operation


def _file_part(part: Message, where: Path) -> Iterator[Found]:
    filename = part.get_filename()
    if filename is not None and worth_scanning(filename):
        yield TextPart(where.mark("filename", ".filename"), filename)
    data = part.get_payload(decode=True)
    if isinstance(data, bytes) and data:
        yield from file_content(data, filename, part.get_content_type(), where)


READERS: dict[Api, Reader] = {"poe_graphql": _poe, "poe_upload": _poe_upload}
