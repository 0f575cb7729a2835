"""The free-form prompt corpus: hand-written texts with inline labels (``prompts/*.txt``).

Written by a different method than the template generator in ``corpus.py``: every text
by hand, the way employees paste into ChatGPT, Claude or Copilot (e-mails, HR notes,
transcripts, chat, exports, logs, code, letters, forms), without looking at the
recognizers. Conventions for what is labelled are in docs/evaluation.md.

File format (one file per genre; the file name without ``.txt`` is the genre)::

    # comment lines, only before the first text
    === de                      a text with personal data, German
    === en clean org-contact    a clean text (no labels), English, with a tag (TAGS)
    Hallo [[PERSON|Jan Kowalski]], bitte …

- ``[[TYPE|value]]`` marks a gold span; TYPE is one of the 17 contract entity types.
  The value may span lines; it cannot contain ``[[`` or ``]]``.
- ``{~}`` is a splice mark, removed when loading: written inside the prefix of
  key-shaped secrets (``gh{~}p_…``) so the repository holds no complete key shape that
  secret scanners would report — the same reason ``values.secret`` assembles its keys.
- A text runs until the next ``===`` line; blank lines around it are dropped.

The loader returns ``FreeformSample``s: texts without markup and gold spans as character
offsets into them. Any malformed block is a ``FreeformError`` naming file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from checker.evaluation.samples import CLEAN, ENTITY_TYPES, Sample, Span

LANGUAGES = ("de", "en")
SPLICE = "{~}"
# Tags name the hard negatives a text was written for (docs/evaluation.md):
TAGS = frozenset(
    {
        "org-contact",  # an organisation's role mailbox, switchboard, postal address
        "names-as-nouns",  # Koch, Winter, Fuchs … as the nouns they also are
        "brands",  # Dr. Oetker, B. Braun, Hugo Boss …
        "institutions",  # Max-Planck-Institut, Robert Koch-Institut …
        "historic",  # Goethe, Kant: no living person
        "medical-general",  # medical vocabulary about no one (studies, law, statistics)
        "placeholders",  # ${{ secrets.X }}, YOUR_API_KEY, <passwort>
        "masked",  # **** 4242, "Visa ending 1881"
        "long",  # a pasted document of several hundred words
    }
)
_MARK = re.compile(r"\[\[([A-Za-z_]+)\|(.*?)\]\]", re.DOTALL)
_LOOKS_LIKE_MARK = re.compile(r"\[\[[A-Z_]{3,}[|:]")  # a label the grammar did not take


class FreeformError(ValueError):
    """A malformed text in the free-form corpus (message names file:line)."""


@dataclass(frozen=True)
class FreeformSample(Sample):
    genre: str = ""
    origin: str = ""  # "emails.txt:12", the line of the text's header
    tags: tuple[str, ...] = ()


def parse(text: str, source: str = "<text>") -> list[FreeformSample]:
    """Parse one corpus file; ``source`` is its file name (the genre is its stem)."""
    genre = source.rsplit("/", 1)[-1].removesuffix(".txt")
    samples: list[FreeformSample] = []
    lines = text.split("\n")
    header: tuple[int, str] | None = None
    body: list[str] = []
    for number, line in enumerate(lines, start=1):
        if line.startswith("==="):
            if header is not None:
                samples.append(_block(header, body, source, genre))
            header, body = (number, line), []
        elif header is None:
            if line.strip() and not line.startswith("#"):
                raise FreeformError(f"{source}:{number}: text before the first '=== <lang>' line")
        else:
            body.append(line)
    if header is not None:
        samples.append(_block(header, body, source, genre))
    return samples


def _block(header: tuple[int, str], body: list[str], source: str, genre: str) -> FreeformSample:
    line_no, line = header
    where = f"{source}:{line_no}"
    words = line[3:].split()
    if not words or words[0] not in LANGUAGES:
        raise FreeformError(f"{where}: header must be '=== de|en [clean] [tags]', got {line!r}")
    lang, rest = words[0], words[1:]
    clean = bool(rest) and rest[0] == CLEAN
    tags = tuple(rest[1:] if clean else rest)
    for tag in tags:
        if tag not in TAGS:
            raise FreeformError(f"{where}: unknown tag {tag!r}; known: {', '.join(sorted(TAGS))}")
    raw = "\n".join(body).strip("\n").replace(SPLICE, "")
    if not raw.strip():
        raise FreeformError(f"{where}: empty text")
    plain: list[str] = []
    spans: list[Span] = []
    length = 0
    last = 0
    for m in _MARK.finditer(raw):
        entity, value = m.group(1), m.group(2)
        if entity not in ENTITY_TYPES:
            raise FreeformError(f"{where}: unknown entity type {entity!r} in {m.group(0)!r}")
        if not value or value != value.strip():
            raise FreeformError(f"{where}: {entity} value {value!r} is empty or padded")
        if "[[" in value:
            raise FreeformError(f"{where}: nested or unclosed label in {m.group(0)!r}")
        before = raw[last : m.start()]
        plain.append(before)
        length += len(before)
        spans.append(Span(entity, length, length + len(value)))
        plain.append(value)
        length += len(value)
        last = m.end()
    plain.append(raw[last:])
    result = "".join(plain)
    stray = _LOOKS_LIKE_MARK.search(result)
    if stray:
        raise FreeformError(f"{where}: unparsed label near {result[stray.start() :][:40]!r}")
    if clean and spans:
        raise FreeformError(f"{where}: a clean text has labels")
    if not clean and not spans:
        raise FreeformError(f"{where}: no labels; mark the text '=== {lang} clean' if it is clean")
    kind = CLEAN if clean else genre
    return FreeformSample(result, tuple(spans), kind, lang, genre=genre, origin=where, tags=tags)


def corpus_files() -> list[str]:
    folder = resources.files("checker.evaluation").joinpath("prompts")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".txt"))


def load(names: Iterable[str] | None = None) -> list[FreeformSample]:
    """Every text of the free-form corpus, file by file in name order."""
    folder = resources.files("checker.evaluation").joinpath("prompts")
    samples: list[FreeformSample] = []
    for name in names if names is not None else corpus_files():
        samples.extend(parse(folder.joinpath(name).read_text("utf-8"), name))
    return samples
