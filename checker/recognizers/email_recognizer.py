"""E-mail addresses (entity ``EMAIL_ADDRESS``): Presidio's recognizer, run near ``@``."""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import EmailRecognizer as PresidioEmailRecognizer

import checker.offline  # noqa: F401  (tldextract, used at the first match, must never download)
from checker.recognizers.near_windows import NearMarkers

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


class EmailRecognizer(NearMarkers, PresidioEmailRecognizer):
    """Presidio's e-mail pattern and TLD check, only in windows around each ``@``.

    Presidio's pattern costs several microseconds per character of text, and most of a
    long prompt has no ``@`` anywhere near. Not reported: a URL's user info (a
    credential), role mailboxes such as ``info@`` or ``noreply@`` (an organisation's,
    not a person's), and a ``NAME=`` before the address is cut off (``SMTP_USER=…``).
    Fictitious example: ``anna.weber@example.de``.
    """

    NEAR_MARKERS = re.compile("@")
    # An address has at most 64 characters before the @ and 255 after it (RFC 5321).
    NEAR_BEFORE = 64
    NEAR_AFTER = 255

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        kept = []
        for result in super().analyze(text, entities, nlp_artifacts, regex_flags):
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


def is_role_mailbox(local: str) -> bool:
    """``info``, ``noreply``, ``support-de``, ``service.01`` — not ``legal-jsmith``."""
    low = local.lower().split("@", 1)[0]
    if low in ROLE_MAILBOXES:
        return True
    head, _, tail = low.partition("-") if "-" in low else low.partition(".")
    return head in ROLE_MAILBOXES and (tail.isdigit() or (len(tail) <= 3 and tail.isalpha()))
