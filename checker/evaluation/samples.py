"""The labeled texts of the evaluation corpora: a Sample with its gold Spans, and the
Template a generated one comes from (checker/evaluation/corpus.py fills them)."""

from __future__ import annotations

from dataclasses import dataclass

from policy.entities import CONTRACT_ENTITY_ORDER

ENTITY_TYPES: tuple[str, ...] = CONTRACT_ENTITY_ORDER

CLEAN = "clean"


@dataclass(frozen=True)
class Span:
    entity_type: str
    start: int
    end: int


@dataclass(frozen=True)
class Sample:
    text: str
    spans: tuple[Span, ...]
    kind: str  # support_email, hr_note, invoice, crm_csv, code, medical, chat_prompt, clean
    lang: str  # "de" or "en"
    family: str = ""  # the template family of a generated text (see HELD_OUT_FAMILIES)


@dataclass(frozen=True)
class Template:
    kind: str
    lang: str
    text: str
    family: str  # one template shape; its name is what the tune/held-out split refers to
