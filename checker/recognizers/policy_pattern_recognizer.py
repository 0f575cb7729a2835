"""A data class's own identifiers from the policy (entity ``CUSTOM_PATTERN``)."""

from __future__ import annotations

from collections.abc import Callable

from presidio_analyzer import Pattern, PatternRecognizer

from policy.entities import PATTERN_ENTITY
from policy.validators import stdnum_validator


class PolicyPatternRecognizer(PatternRecognizer):
    """One regex from a policy's `patterns:`, optionally checked by a python-stdnum module.

    Format: whatever the policy says, e.g. customer numbers ``KD-\\d{6}`` or, with
    ``validator: luhn``, card-like numbers whose Luhn checksum holds. Fictitious
    example: ``KD-123456``. A match the validator rejects is dropped, not down-scored.
    """

    def __init__(
        self,
        name: str,
        regex: str,
        score: float = 0.9,
        validator: str | None = None,
        supported_language: str = "de",
    ) -> None:
        self._is_valid: Callable[[str], bool] | None = None
        if validator is not None:
            found = stdnum_validator(validator)
            if found is None:
                raise ValueError(f"unknown checksum validator {validator!r}")
            self._is_valid = found  # type: ignore[assignment]
        super().__init__(
            supported_entity=PATTERN_ENTITY,
            name=name,
            patterns=[Pattern(name, regex, score)],
            supported_language=supported_language,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        if self._is_valid is None:
            return None  # keep the pattern's score
        # True would lift the score to 1.0 (Presidio's convention for a valid checksum).
        return bool(self._is_valid(pattern_text))
