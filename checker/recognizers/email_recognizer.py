"""E-mail addresses (entity ``EMAIL_ADDRESS``): Presidio's recognizer, run near ``@``."""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import EmailRecognizer as PresidioEmailRecognizer

import checker.offline  # noqa: F401  (tldextract, used at the first match, must never download)
from checker.recognizers.near_windows import analyze_near

_AT = re.compile("@")
# An address has at most 64 characters before the @ and 255 after it (RFC 5321).
_BEFORE = 64
_AFTER = 255


class EmailRecognizer(PresidioEmailRecognizer):
    """Presidio's e-mail pattern and TLD check, only in windows around each ``@``.

    Presidio's pattern costs several microseconds per character of text, and most of a
    long prompt has no ``@`` anywhere near. Fictitious example: ``anna.weber@example.de``.
    """

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        return analyze_near(
            text,
            _AT,
            _BEFORE,
            _AFTER,
            lambda window: super(EmailRecognizer, self).analyze(
                window, entities, nlp_artifacts, regex_flags
            ),
        )
