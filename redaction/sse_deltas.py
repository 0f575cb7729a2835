"""Which SSE events of the known answer formats carry text deltas, and how to build
another delta event of the same stream (for held-back text): OpenAI chat chunks,
OpenAI Responses delta events, Anthropic content_block_delta."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redaction.restore import UNTOUCHED_TYPES


@dataclass
class Delta:
    """A channel's text field in one parsed event."""

    key: tuple[Any, ...]
    container: dict[str, Any]
    field: str
    escape: bool
    template: Callable[[str], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    deltas: list[Delta]
    ending: frozenset[tuple[Any, ...]] = frozenset()  # channel key prefixes it ends


NEUTRAL = Kind([])  # e.g. ping: no text, ends nothing


Classified = Kind | None


def classify(obj: dict[str, Any]) -> Classified:
    """The event's text deltas and the streams it ends; NEUTRAL; None if unknown."""
    kind = obj.get("type")
    if isinstance(kind, str):
        if kind == "ping":
            return NEUTRAL
        if kind == "content_block_delta":
            return _anthropic_delta(obj)
        if kind in _RESPONSES_DELTAS:
            return _responses_delta(obj, kind)
        return None
    if isinstance(obj.get("choices"), list) and obj["choices"]:
        return _chat_chunk(obj)
    return None


def _anthropic_delta(obj: dict[str, Any]) -> Classified:
    delta, index = obj.get("delta"), obj.get("index")
    if not isinstance(delta, dict):
        return None
    if delta.get("type") in UNTOUCHED_TYPES:
        return NEUTRAL  # signed thinking: never changed
    for delta_type, field, escape in (
        ("text_delta", "text", False),
        ("input_json_delta", "partial_json", True),
    ):
        if delta.get("type") == delta_type and isinstance(delta.get(field), str):

            def template(
                text: str, delta_type: str = delta_type, field: str = field
            ) -> dict[str, Any]:
                return {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": delta_type, field: text},
                }

            key = ("anthropic", _hashable(index), field)
            return Kind([Delta(key, delta, field, escape, template)])
    return None


_RESPONSES_DELTAS = {
    "response.output_text.delta": False,
    "response.refusal.delta": False,
    "response.function_call_arguments.delta": True,
}


def _responses_delta(obj: dict[str, Any], kind: str) -> Classified:
    if not isinstance(obj.get("delta"), str):
        return None
    base = copy.deepcopy(obj)

    def template(text: str) -> dict[str, Any]:
        event = copy.deepcopy(base)
        event["delta"] = text
        if isinstance(event.get("logprobs"), list):
            event["logprobs"] = []
        return event

    key = (
        "responses",
        kind,
        _hashable(obj.get("item_id")),
        _hashable(obj.get("output_index")),
        _hashable(obj.get("content_index")),
    )
    return Kind([Delta(key, obj, "delta", _RESPONSES_DELTAS[kind], template)])


def _chat_chunk(obj: dict[str, Any]) -> Classified:
    deltas: list[Delta] = []
    ending: set[tuple[Any, ...]] = set()
    shell = {k: v for k, v in obj.items() if k not in ("choices", "usage")}
    for position, choice in enumerate(obj["choices"]):
        if not isinstance(choice, dict):
            return None
        index = _hashable(choice.get("index", position))
        if choice.get("finish_reason") is not None:
            ending.add(("chat", index))
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            continue
        for field in ("content", "refusal"):
            if isinstance(delta.get(field), str):
                deltas.append(
                    Delta(
                        ("chat", index, field),
                        delta,
                        field,
                        False,
                        _chat_template(shell, choice, {field: ""}, [field]),
                    )
                )
        calls = delta.get("tool_calls")
        for call_position, call in enumerate(calls if isinstance(calls, list) else []):
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict) and isinstance(function.get("arguments"), str):
                call_index = _hashable(call.get("index", call_position))
                skeleton = {"tool_calls": [{"index": call_index, "function": {"arguments": ""}}]}
                deltas.append(
                    Delta(
                        ("chat", index, "tool", call_index),
                        function,
                        "arguments",
                        True,
                        _chat_template(
                            shell, choice, skeleton, ["tool_calls", 0, "function", "arguments"]
                        ),
                    )
                )
    return Kind(deltas, frozenset(ending))


def _chat_template(
    shell: dict[str, Any], choice: dict[str, Any], delta: dict[str, Any], path: list[Any]
) -> Callable[[str], dict[str, Any]]:
    shell = copy.deepcopy(shell)
    choice_shell = {"index": choice.get("index", 0), "delta": delta, "finish_reason": None}
    if "logprobs" in choice:
        choice_shell["logprobs"] = None

    def template(text: str) -> dict[str, Any]:
        event = copy.deepcopy(shell)
        new_choice = copy.deepcopy(choice_shell)
        target: Any = new_choice["delta"]
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = text
        event["choices"] = [new_choice]
        return event

    return template


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | None) else repr(value)
