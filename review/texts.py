"""The review UI's texts (review/texts.yaml): German by default, English on request."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from rules.strict_yaml import load_yaml
from store.triage import TRIAGE_STATES

LANGUAGES = ("de", "en")
__all__ = ["LANGUAGES", "TRIAGE_STATES", "label", "texts"]


@cache
def _all() -> dict[str, Any]:
    data = load_yaml(files("review").joinpath("texts.yaml").read_text("utf-8"))
    assert isinstance(data, dict) and set(data) == set(LANGUAGES)
    return data


def texts(lang: str) -> dict[str, Any]:
    """Every text of one language (a nested dict as in texts.yaml)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (expected one of {', '.join(LANGUAGES)})")
    result: dict[str, Any] = _all()[lang]
    return result


def label(lang: str, kind: str, value: str | None) -> str:
    """The display label of a code (triage state, action, tool status); the code if none."""
    if value is None:
        return ""
    labels: dict[str, str] = texts(lang)["labels"].get(kind, {})
    return labels.get(value, value)
