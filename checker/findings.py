"""What the checker reports: one Finding per detected span."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Finding:
    entity_type: str
    data_class: str
    start: int  # character offsets into the text part
    end: int
    score: float
    part: int = 0  # index of the text part (a request has several: system, messages…)
    # The detected value as the recognizer saw it: after normalisation (see
    # checker/normalize), so an IBAN written with zero-width spaces, fullwidth digits or
    # in base64 is the plain IBAN here, while start/end cover the original characters.
    # In memory only: masking and hashing read it, nothing persists or prints it (repr
    # hides it so a stray log line cannot leak it).
    value: str = field(default="", repr=False, compare=False)
    # How the checker got there (recognizer, pattern, context word, checksum): printed
    # by `leitplanke check --explain`, kept in the findings store; never the value.
    explanation: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    # A value that continues across the boundary of adjacent parts (half an IBAN at the
    # end of one message, the rest at the start of the next) is reported once per part
    # it touches, each piece with that part's offsets; all pieces name the parts here,
    # in order, and carry the whole value. Empty for a value inside one part. Redacting
    # every piece removes the value; a caller that cannot rewrite all the parts must
    # not forward the request (see docs/security.md).
    split_across: tuple[int, ...] = ()

    def to_contract(self) -> dict[str, Any]:
        """The ★ `leitplanke check --json` shape."""
        return {
            "entity_type": self.entity_type,
            "data_class": self.data_class,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
        }
