"""Credentials recognised by where they stand, not by their shape (entity ``SECRET``)."""

from __future__ import annotations

import math
import re
from collections import Counter

from presidio_analyzer import Pattern, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

import checker.recognizers.credential_labels as labels
from checker.recognizers.near_windows import NearMarkers

# Presidio matches with the `regex` module, so variable-length look-behinds work:
# the span is the secret value only, never the label or the user name before it.
_URL_PASSWORD = r"(?<=[a-z][a-z0-9+.\-]{0,20}://[^\s:/@]{1,64}:)[^\s@/]{3,128}(?=@)"
# Labels start at a letter/digit boundary, not \b: in DB_PASSWORD or MY_API_KEY the
# underscore is a word character, and env-file names are where secrets get pasted.
_LABEL_START = r"(?<![A-Za-z0-9])"
_PASSWORD_LABEL = r"(?i:passwort|kennwort|password|passwd|pwd|pass|pin)"
_KEY_LABEL = (
    r"(?i:api[_-]?key|apikey|secret|secret[_-]?key|client[_-]?secret|access[_-]?token"
    r"|auth[_-]?token|bearer|token|access[_-]?key|private[_-]?key|account[_-]?key"
    r"|shared[_-]?access[_-]?key|basic)"
)
_LABELLED_PASSWORD = (
    r"(?<=" + _LABEL_START + _PASSWORD_LABEL + r"[\"']?\s*[:=]\s*[\"']?)[^\s\"';,]{4,128}"
)
# "[ \t]*(?:[:=]\s*)?", not "\s*[:=]?\s*": two adjacent \s* split a long run of blanks
# every possible way before failing (quadratic in the run). Without ":" or "=" the value
# stands on the label's line ("Bearer eyJ…"): in an .env file the next line after
# "API_KEY=YOUR_API_KEY" is the next variable ("DB_HOST=localhost"), not a value.
_KEY_VALUE = (
    r"(?<=" + _LABEL_START + _KEY_LABEL + r"[\"']?[ \t]*(?:[:=]\s*)?[\"']?)"
    r"[A-Za-z0-9_\-+/][A-Za-z0-9_\-+/=.]{15,255}(?![A-Za-z0-9_\-+/=])"
)

# Passwords in prose: "das Kennwort für Gäste ist X", "Passwort … lautet X", "the
# password I was given was X", "user admin / X", "mysql -u root -pX". The value must
# hold a letter and a digit or sign (a word is no password), and ends before a blank or
# a sentence's closing mark.
_PROSE_PASSWORD = (
    r"(?<=(?<![A-Za-z0-9])(?i:passwort|kennwort|password|passwd|pw|pwd|pin|zugangscode"
    r"|wlan-schlüssel|wifi key)\b[^\n.:=]{0,40}?\b(?i:ist|lautet|lautete|war|heißt|is|was)"
    r"[ \t]+[\"'„“]?)"
    r"(?=[^\s\"'“”]{0,63}[A-Za-z])(?=[^\s\"'“”]{0,63}[\d!#$%&*+?@^~§-])"
    r"[^\s\"'“”]{6,64}?(?=[.,;:!?)\"'“”]{0,3}(?:\s|$))"
)
_USER_SLASH_PASSWORD = (
    r"(?<=(?<![A-Za-z0-9])(?i:user|benutzer|login|username|nutzer)[ \t]*:?[ \t]*[\w.@-]{1,40}"
    r"[ \t]*/[ \t]*)"
    r"(?=\S{0,63}[A-Za-z])(?=\S{0,63}[\d!#$%&*+?@^~§])\S{6,64}?(?=[.,;:)]{0,3}(?:\s|$))"
)
_CLI_PASSWORD = r"(?<=(?i:mysql|mysqldump|mysqladmin|mariadb)\b[^\n]{0,80}?[ \t]-p)[^\s'\"]{4,64}"
# "docker login … -u deploy -p 'X'", "helm registry login … --password X".
_LOGIN_PASSWORD = (
    r"(?<=(?i:login)\b[^\n]{0,80}?[ \t](?:-p|--password)(?:[ \t]+|=)['\"]?)"
    r"(?!-)[^\s'\"]{4,64}"
)
# The label and the value with only a blank between them: "user admin / pw Wn8#kLp2",
# "WLAN: Passwort Gast2024!". The value needs a letter and a digit or sign, as above.
_LABEL_BLANK_PASSWORD = (
    r"(?<=(?<![A-Za-z0-9])(?i:passwort|kennwort|password|passwd|pw|pwd)[ \t]+)"
    r"(?=[^\s\"'“”]{0,63}[A-Za-z])(?=[^\s\"'“”]{0,63}[\d!#$%&*+?@^~§])"
    r"[^\s\"'“”(]{6,64}?(?=[.,;:!?)\"'“”]{0,3}(?:\s|$))"
)

# Values that stand where a secret would, but are not one.
_PLACEHOLDER = re.compile(
    r"^[*•x.#_-]+$|^<.*>$|^\$\{?\w+\}?$|^%\w+%$|^\{\{.*\}\}$"
    r"|your|example|beispiel|changeme|placeholder|dummy|redacted|secret_here|xxx"
    # an environment variable's name or a template reference, not its value
    r"|^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^(?:secrets|env|vars|inputs|steps|process\.env)\."
    r"|^os\.environ|\{\{|\}\}",
    re.IGNORECASE,
)
# Right before a value: a template or variable reference ("${{ secrets.X }}", "{{ x }}").
_TEMPLATE_BEFORE = re.compile(r"(?:\$\{\{|\{\{|\$\{|%\()[^}\n]{0,40}\Z")
# The look-behind patterns are tried at every position, which costs milliseconds on
# a long prompt; most prompts contain no label at all, so look for one first.
_ANY_LABEL = re.compile(
    r"://|passw|kennw|pwd|pass|pin|key|secret|token|bearer|basic|pw|zugangscode|user|benutzer"
    r"|login|nutzer|mysql|mariadb",
    re.IGNORECASE,
)
MIN_ENTROPY = 2.5  # bits per character; "aaaaaaaa" or "12341234" are not secrets


def shannon_entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


class CredentialRecognizer(NearMarkers):
    """Recognize secrets by their label: passwords and tokens whatever their shape.

    Formats: the password in a URL's user info (``postgres://app:S3cr3t!x@db``), a
    labelled password (``Passwort: Sommer2024!``, ``password=...``, ``Pwd=...;`` in a
    connection string) and a key-like value after a key-like name (``api_key =
    "9f8e7d…"``, ``Authorization: Bearer …``). Placeholders (``********``,
    ``<password>``, ``${DB_PASSWORD}``, ``your-api-key``) and low-entropy values are
    dropped. Fictitious example: ``Passwort: Blumenkohl#42``.
    """

    # A value stands at most 255 characters after its label (_KEY_VALUE) and a URL's
    # scheme and user name are short, so only the text around labels is searched.
    NEAR_MARKERS = _ANY_LABEL
    NEAR_BEFORE = 100  # "postgres+psycopg://" + a user name before "://"
    NEAR_AFTER = 400  # label rest, separators, a value of up to 255 characters

    # The prefilter's words for this recognizer (checker/recognizers/credential_labels.py,
    # which the gateway reads without importing Presidio).
    PASSWORD_LABELS = labels.PASSWORD_LABELS
    KEY_LABELS = labels.KEY_LABELS
    PROSE_LABELS = labels.PROSE_LABELS
    USER_LABELS = labels.USER_LABELS
    CLI_LABELS = labels.CLI_LABELS

    PATTERNS = (
        Pattern("password in URL", _URL_PASSWORD, 0.9),
        Pattern("labelled password", _LABELLED_PASSWORD, 0.85),
        Pattern("key-like value", _KEY_VALUE, 0.75),
        Pattern("password in prose", _PROSE_PASSWORD, 0.8),
        Pattern("user / password", _USER_SLASH_PASSWORD, 0.8),
        Pattern("password on a command line", _CLI_PASSWORD, 0.85),
        Pattern("password on a login command line", _LOGIN_PASSWORD, 0.85),
        Pattern("password after its label", _LABEL_BLANK_PASSWORD, 0.8),
    )

    def __init__(
        self,
        supported_language: str = "de",
        supported_entity: str = "SECRET",
        name: str | None = None,
    ) -> None:
        super().__init__(
            supported_entity=supported_entity,
            name=name or type(self).__name__,
            supported_language=supported_language,
            patterns=list(self.PATTERNS),
            global_regex_flags=re.DOTALL | re.MULTILINE,
        )

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        return [
            r for r in results if not _TEMPLATE_BEFORE.search(text, max(0, r.start - 50), r.start)
        ]

    def validate_result(self, pattern_text: str) -> bool | None:
        if _PLACEHOLDER.search(pattern_text) or shannon_entropy(pattern_text) < MIN_ENTROPY:
            return False
        return None  # keep the pattern's score
