"""E-mail addresses (entity ``EMAIL_ADDRESS``): Presidio's recognizer, run near ``@``."""

from __future__ import annotations

import re

from presidio_analyzer.predefined_recognizers import EmailRecognizer as PresidioEmailRecognizer

import checker.offline  # noqa: F401  (tldextract, used at the first match, must never download)
from checker.recognizers.near_windows import NearMarkers


class EmailRecognizer(NearMarkers, PresidioEmailRecognizer):
    """Presidio's e-mail pattern and TLD check, only in windows around each ``@``.

    Presidio's pattern costs several microseconds per character of text, and most of a
    long prompt has no ``@`` anywhere near. Fictitious example: ``anna.weber@example.de``.
    """

    NEAR_MARKERS = re.compile("@")
    # An address has at most 64 characters before the @ and 255 after it (RFC 5321).
    NEAR_BEFORE = 64
    NEAR_AFTER = 255
