"""Recognizer for API keys, access tokens and PEM private keys (entity ``SECRET``)."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, PatternRecognizer

# Characters that may continue a token; a match must not be glued to more of them,
# so that a longer random string is not cut into a "key" somewhere in its middle.
_B = r"(?<![A-Za-z0-9_-])"
_E = r"(?![A-Za-z0-9_-])"


class SecretRecognizer(PatternRecognizer):
    """Recognize credentials with an unambiguous shape.

    Formats (all matched case-sensitively):

    - Anthropic API key: ``sk-ant-api03-`` (or ``sk-ant-admin01-``) + 32 or more
      ``[A-Za-z0-9_-]``.
    - OpenAI project/service/admin key: ``sk-proj-``, ``sk-svcacct-``, ``sk-admin-``
      + 20 or more ``[A-Za-z0-9_-]``.
    - OpenAI legacy key (and compatible providers): ``sk-`` + 32 or more ``[A-Za-z0-9]``.
    - AWS access key id: ``AKIA`` (long-term) or ``ASIA`` (temporary) + 16 ``[A-Z0-9]``.
    - GitHub token: ``ghp_``, ``gho_``, ``ghu_``, ``ghs_``, ``ghr_`` + 36 or more
      ``[A-Za-z0-9]``; fine-grained ``github_pat_`` + 20+ chars ``_`` 50+ chars.
    - JSON Web Token: three base64url parts, the first two starting ``eyJ`` (``{"``).
    - Google API key ``AIza`` + 35 chars; Slack token ``xoxb-``/``xoxp-``/…;
      Stripe live secret ``sk_live_``/``rk_live_``.
    - GitLab ``glpat-``, Slack webhook URLs (the whole URL), Telegram bot tokens
      (``<bot id>:AA…``), SendGrid ``SG.….…``, Mailgun ``key-`` + 32, npm ``npm_``, PyPI
      ``pypi-AgE…``, Hugging Face ``hf_``, Stripe test keys, and the ``sig=`` of an Azure
      SAS URL.
    - PEM private key: ``-----BEGIN ... PRIVATE KEY-----`` through the matching
      ``-----END ... PRIVATE KEY-----``; the whole block is the span. A header whose
      END line is missing (truncated paste) still matches header plus base64 body.

    Fictitious examples (written split here so that secret scanners stay quiet):
    ``sk-proj-`` + ``A1b2`` repeated 10 times; ``AKIA`` + ``ABCDEFGHIJKLMNOP``.
    """

    PATTERNS = (
        Pattern(
            "PEM private key block",
            # Bounded lazy body: a 4096-bit RSA key is ~3.3 KB; the bound keeps a
            # truncated block from swallowing the rest of a long prompt.
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.{0,16384}?"
            r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
            0.99,
        ),
        # Truncated paste: header plus the base64 body, no END line.
        Pattern(
            "PEM private key header",
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\s]*",
            0.95,
        ),
        Pattern(
            "Anthropic API key",
            _B + r"sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{32,}" + _E,
            0.95,
        ),
        Pattern(
            "OpenAI project key",
            _B + r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}" + _E,
            0.95,
        ),
        Pattern("OpenAI legacy key", _B + r"sk-[A-Za-z0-9]{32,}" + _E, 0.9),
        Pattern(
            "AWS access key id",
            r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])",
            0.9,
        ),
        Pattern(
            "GitHub token",
            r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,}(?![A-Za-z0-9_])",
            0.95,
        ),
        Pattern(
            "JSON Web Token",
            r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}" + _E,
            0.9,
        ),
        Pattern("Google API key", _B + r"AIza[0-9A-Za-z_-]{35}" + _E, 0.9),
        Pattern("Slack token", _B + r"xox[abprs]-[0-9A-Za-z-]{10,}" + _E, 0.9),
        Pattern("Stripe live key", _B + r"(?:sk|rk)_live_[0-9A-Za-z]{20,}" + _E, 0.95),
        Pattern("GitLab token", _B + r"gl(?:pat|ptt|rt|dt|oas)-[A-Za-z0-9_-]{20,}" + _E, 0.95),
        # The whole webhook URL is the credential: whoever has it can post.
        Pattern(
            "Slack webhook URL",
            r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{20,200}",
            0.95,
        ),
        Pattern("Telegram bot token", r"(?<![\w:])\d{8,10}:AA[A-Za-z0-9_-]{30,40}" + _E, 0.9),
        Pattern("SendGrid key", _B + r"SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{30,64}" + _E, 0.95),
        Pattern("Mailgun key", _B + r"key-[0-9a-z]{32}" + _E, 0.85),
        Pattern("npm token", _B + r"npm_[A-Za-z0-9]{36}" + _E, 0.95),
        Pattern("PyPI token", _B + r"pypi-AgE[A-Za-z0-9_-]{50,}" + _E, 0.95),
        Pattern("Hugging Face token", _B + r"hf_[A-Za-z0-9]{30,40}" + _E, 0.9),
        Pattern("Stripe test or restricted key", _B + r"(?:sk|rk)_test_[0-9A-Za-z]{20,}" + _E, 0.9),
        Pattern(
            "Azure SAS signature", r"(?<=[?&]sig=)[A-Za-z0-9%+/=]{20,200}(?![A-Za-z0-9%+/=])", 0.9
        ),
        Pattern(
            "GitHub fine-grained token",
            r"(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9]{20,}_[A-Za-z0-9]{50,}(?![A-Za-z0-9_])",
            0.95,
        ),
    )

    def __init__(
        self,
        supported_language: str = "de",
        supported_entity: str = "SECRET",
        patterns: list[Pattern] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(
            supported_entity=supported_entity,
            name=name or type(self).__name__,
            supported_language=supported_language,
            patterns=patterns if patterns else list(self.PATTERNS),
            # No IGNORECASE: the prefixes (AKIA, ghp_, sk-) are case-exact, and
            # ignoring case would let ordinary lower-case text match.
            global_regex_flags=re.DOTALL | re.MULTILINE,
        )
