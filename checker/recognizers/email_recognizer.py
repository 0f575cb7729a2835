"""E-mail addresses (entity ``EMAIL_ADDRESS``): Presidio's pattern as a linear scan."""

from __future__ import annotations

import re

import regex
from presidio_analyzer import EntityRecognizer, Pattern, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import EmailRecognizer as PresidioEmailRecognizer

import checker.offline  # noqa: F401  (tldextract, used at the first match, must never download)

# The user info of a URL ("https://oauth2:TOKEN@gitlab…", "postgres://app:pw@db…") is
# a credential (CredentialRecognizer), not a mailbox.
_URL_USERINFO_BEFORE = re.compile(r"://[^\s/@]*\Z")
# Role mailboxes of an organisation name no person (docs/evaluation.md, "Organisation
# contact data"): the local part alone, or with a department or site after a dot or dash.
ROLE_MAILBOXES = frozenset(
    """
    info kontakt contact service kundenservice customerservice support hilfe help helpdesk
    servicedesk hotline vertrieb sales einkauf purchasing procurement personal hr jobs
    karriere career careers bewerbung bewerbungen recruiting buchhaltung accounting
    rechnung rechnungen invoice invoices billing controlling finance finanzen noreply
    no-reply donotreply do-not-reply alerts alert notifications notification newsletter
    marketing presse press office mail post postmaster webmaster hostmaster admin
    administrator abuse security datenschutz privacy dsb legal recht team hello hallo
    zentrale empfang reception orders order bestellung bestellungen shop returns retouren
    versand logistik lager it edv technik redaktion
    """.split()  # noqa: SIM905 - a word block is easier to read and extend
)


# Presidio's pattern, read as a grammar: a local part of `_LOCAL_CHAR`s and dots that
# starts at a word boundary and neither starts nor ends with a dot, "@", and a domain of
# word-character labels joined by hyphens, with at least one dot, ending at a boundary.
# Run as a regex search it tries every start position and re-reads the run of
# local-part characters from each, which is quadratic on text without spaces (a long
# token, "a-a-a-…", a distribution list pasted without blanks). Every address contains
# an "@", so the scan below starts there and reads each side once, within the RFC 5321
# limits. The `regex` module (Presidio's) supplies the same \w and \b as the pattern.
_LOCAL_CHAR = r"[!#$%&'*+\-/=?^_`{|}~\w]"
MAX_LOCAL = 64  # RFC 5321 4.5.3.1.1: a local part has at most 64 octets
MAX_DOMAIN = 255  # RFC 5321 4.5.3.1.2: a domain has at most 255 octets
# Reverse mode ((?r)): the longest run of local-part characters and dots that ends
# where the search window ends, i.e. right before the "@".
_LOCAL_RUN = regex.compile(rf"(?r)(?:{_LOCAL_CHAR}|\.){{1,{MAX_LOCAL}}}")
_LOCAL_START = regex.compile(rf"\b{_LOCAL_CHAR}")
_FIRST_LOCAL_CHAR = regex.compile(_LOCAL_CHAR)
_DOMAIN = regex.compile(r"\w+(?:-+\w+)*(?:\.\w+(?:-+\w+)*)+")
_WORD_CHAR = regex.compile(r"\w")


def email_spans(text: str) -> list[tuple[int, int]]:
    """Spans of what Presidio's e-mail pattern matches in `text` (leftmost, without
    overlaps), with the local part and the domain cut to the RFC limits.

    Linear: the runs read to the left of different "@"s are disjoint (neither contains
    an "@"), and so are the runs read to the right.
    """
    spans: list[tuple[int, int]] = []
    last_end = 0  # a match never starts inside the previous one
    at = text.find("@")
    while at >= 0:
        span = _span_at(text, at, last_end)
        if span is not None:
            spans.append(span)
            last_end = span[1]
            at = text.find("@", last_end)
        else:
            at = text.find("@", at + 1)
    return spans


def _span_at(text: str, at: int, floor: int) -> tuple[int, int] | None:
    """The address around the "@" at `at` that starts at or after `floor`, or None."""
    if at == 0 or text[at - 1] == ".":  # the local part must not end with a dot
        return None
    run = _LOCAL_RUN.match(text, max(floor, at - MAX_LOCAL), at)
    if run is None:
        return None
    start = _LOCAL_START.search(text, run.start(), at)
    if start is None and run.start() == at - MAX_LOCAL > floor:
        # Cut by the length limit inside a longer run: the boundary the pattern needs
        # lies further left; keep the last 64 characters rather than nothing.
        start = _FIRST_LOCAL_CHAR.search(text, run.start(), at)
    if start is None:
        return None
    domain = _DOMAIN.match(text, at + 1, min(len(text), at + 1 + MAX_DOMAIN))
    if domain is None:
        return None
    end = domain.end()
    if end < at + 1 + MAX_DOMAIN and _WORD_CHAR.match(text, end):
        return None  # no word boundary after the domain (only when cut by endpos)
    return start.start(), end


class EmailRecognizer(PresidioEmailRecognizer):
    """E-mail addresses as Presidio's ``EmailRecognizer`` finds them: its pattern's
    grammar (scanned around each ``@`` in linear time, see ``email_spans``), its TLD
    check (``validate_result``: tldextract with the bundled suffix list) and its score.

    Not reported: a URL's user info (a credential), role mailboxes such as ``info@`` or
    ``noreply@`` (an organisation's, not a person's), and a ``NAME=`` before the address
    is cut off (``SMTP_USER=…``). Fictitious example: ``anna.weber@example.de``.
    """

    name: str  # set by EntityRecognizer; declared because mypy cannot infer it there
    patterns: list[Pattern]  # set by PatternRecognizer, likewise

    def __init__(
        self,
        supported_language: str = "de",
        supported_entity: str = "EMAIL_ADDRESS",
        context: list[str] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(
            context=context,
            supported_language=supported_language,
            supported_entity=supported_entity,
            name=name,
        )

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        kept = []
        for result in self._pattern_results(text, regex_flags):
            local = text[result.start : result.end].split("@", 1)[0]
            if "=" in local:  # "SMTP_USER=noreply@…": Presidio's pattern takes the name
                result.start += local.rindex("=") + 1
                local = local[local.rindex("=") + 1 :]
            if _URL_USERINFO_BEFORE.search(text, max(0, result.start - 80), result.start):
                continue
            if is_role_mailbox(local):
                continue
            kept.append(result)
        return kept

    def _pattern_results(self, text: str, regex_flags: int | None) -> list[RecognizerResult]:
        """Each candidate scored as PatternRecognizer scores a match of the pattern:
        the TLD check decides between the maximum score and none."""
        pattern: Pattern = self.patterns[0]  # Presidio's, named in explanations
        flags = regex_flags or self.global_regex_flags or 0
        results = []
        for start, end in email_spans(text):
            candidate = text[start:end]
            valid = self.validate_result(candidate)
            explanation = self.build_regex_explanation(
                self.name, pattern.name, pattern.regex, pattern.score, valid, flags
            )
            score = EntityRecognizer.MAX_SCORE if valid else EntityRecognizer.MIN_SCORE
            explanation.score = score
            if score > EntityRecognizer.MIN_SCORE:
                results.append(
                    RecognizerResult(
                        entity_type=self.supported_entities[0],
                        start=start,
                        end=end,
                        score=score,
                        analysis_explanation=explanation,
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        },
                    )
                )
        return results


def is_role_mailbox(local: str) -> bool:
    """``info``, ``noreply``, ``support-de``, ``service.01`` — not ``legal-jsmith``."""
    low = local.lower().split("@", 1)[0]
    if low in ROLE_MAILBOXES:
        return True
    head, _, tail = low.partition("-") if "-" in low else low.partition(".")
    return head in ROLE_MAILBOXES and (tail.isdigit() or (len(tail) <= 3 and tail.isalpha()))
