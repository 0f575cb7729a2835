"""Host families as patterns: `*-aiplatform.googleapis.com`, `bedrock-runtime.*.amazonaws.com`.

Cloud AI services run one endpoint per region, and new regions appear every few
months; a list of names is always one region short, and the region it misses is
tunnelled unchecked. A catalog entry therefore names a family by pattern.

Syntax, deliberately small so that every consumer can implement it identically:

* lowercase DNS labels joined by dots; a `*` stands for one or more characters
  **within one label** (never a dot), e.g. a region name;
* like a host in `hosts:`, a pattern also stands for every subdomain of what it
  matches (`x.europe-west4-aiplatform.googleapis.com`);
* the leftmost label must carry a literal part of at least three characters (the
  service's own name: `bedrock-runtime`, `-aiplatform`), and after the last label
  with a `*` at least two literal labels must follow (the provider's domain), so
  that no pattern can stand for a whole shared domain such as `*.googleapis.com`.

`regex_body(pattern)` is the one translation to a regular expression (no anchors,
no subdomains): `policy/catalog.py` matches it per name level, `policy/intercept.py`
puts it into mitmproxy's `allow_hosts` and `policy/pac.py` into the PAC file's
JavaScript, so lookup, decryption and routing cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# One or more characters of a single label. ':' is excluded too: mitmproxy matches
# allow_hosts against "host:port", and no host name holds a colon.
STAR = "[^.:]+"

_LABEL = re.compile(r"^[a-z0-9*](?:[a-z0-9*-]{0,61}[a-z0-9*])?$")
_MIN_LITERAL = 3  # characters of the leftmost label that are not '*' or '-'
_MIN_SUFFIX_LABELS = 2


class PatternError(ValueError):
    """A host pattern that is not a safe family pattern (the message says why)."""


def is_pattern(text: str) -> bool:
    return "*" in text


def check_pattern(pattern: str, shared: Iterable[str] = ()) -> str:
    """The pattern if it is well-formed and names no shared infrastructure; else
    PatternError with the reason."""
    if not is_pattern(pattern):
        raise PatternError(f"{pattern!r} has no '*' (list plain names under hosts)")
    labels = pattern.split(".")
    if len(pattern) > 253 or not all(_LABEL.match(label) for label in labels):
        raise PatternError(
            f"{pattern!r} is not lowercase DNS labels with '*' inside labels "
            "(no scheme, port, path, '**' spanning dots or trailing dot)"
        )
    literal = labels[0].replace("*", "").replace("-", "")
    if len(literal) < _MIN_LITERAL:
        raise PatternError(
            f"{pattern!r}: the leftmost label needs a literal part of at least "
            f"{_MIN_LITERAL} characters (a service name, e.g. 'bedrock-runtime.*' or "
            "'*-aiplatform'); to cover every subdomain, list the domain under hosts"
        )
    last_star = max(i for i, label in enumerate(labels) if "*" in label)
    if len(labels) - last_star - 1 < _MIN_SUFFIX_LABELS:
        raise PatternError(
            f"{pattern!r}: at least {_MIN_SUFFIX_LABELS} literal labels must follow "
            "the last '*' (the provider's own domain)"
        )
    compiled = compile_pattern(pattern)
    for host in shared:
        if compiled.match(host):
            raise PatternError(f"{pattern!r} matches shared infrastructure {host!r}")
    return pattern


def regex_body(pattern: str) -> str:
    """The pattern as a regular expression for one full host name, without anchors.

    Uses only what Python's `re`, JavaScript (ES3) and mitmproxy agree on: literal
    characters, escaped dots and one negated character class.
    """
    return STAR.join(re.escape(part).replace("\\-", "-") for part in pattern.split("*"))


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Matches a host name that is exactly of the family (subdomains: walk the name)."""
    return re.compile(rf"^(?:{regex_body(pattern)})$")


def sample_host(pattern: str) -> str:
    """A host the pattern matches (a region-like filler for each '*'), for overlap checks."""
    return pattern.replace("*", "zz-test1")
