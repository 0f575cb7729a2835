"""Poe: POST /api/gql_POST.

{"queryName": "sendMessageMutation", "variables": {"bot": …, "query": …, "chatId": …,
 "clientNonce": …, "sdid": …, …}, "extensions": {"hash": …}}: every string leaf of
variables except ids, nonces and hashes.
"""

from extract.json_walk import json_leaves, load_object, optional_object
from extract.model import Api, Found, Prompt, Reader, prompt_of
from extract.path import ROOT

_POE_SKIP = frozenset({"id", "clientNonce", "sdid", "hash", "nonce"})


def _poe_skip(key: str) -> bool:
    return key in _POE_SKIP or key.endswith(("Id", "Ids", "_id", "Hash"))


def _poe(body: bytes, content_type: str | None) -> Prompt:
    data = load_object(body)
    variables = optional_object(data, "variables", ROOT)
    found: list[Found] = list(json_leaves(variables, ROOT.key("variables"), skip_key=_poe_skip))
    bot = variables.get("bot")
    return prompt_of(
        "poe_graphql", found, stream=False, model=bot if isinstance(bot, str) else None
    )


READERS: dict[Api, Reader] = {"poe_graphql": _poe}
