"""Where a text part sits in a request: a structured path, rendered as the location string.

A Path is a tuple of steps: object members (Key), array elements (Index) and marks for
everything that is no JSON step — the JSON document root of a generic body ("$"), a
whole text body, a form field, a multipart part, a file name, decoded file content, a
JSON document held in a string ("→"), a WebSocket message. Redaction walks the Keys
and Indexes and refuses a path with a mark it cannot rewrite; no location string is
ever parsed back.

`str(path)` is the location as stored in the findings log (formats: extract/model.py).
Keys say how they are shown, because a location must never carry caller data: a key
that is no identifier is written by its position ("[#2]").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# name: ".name"; bare: "name" (no dot); quoted: '["0"]'; position: "[#2]" (the key's
# position, not its name); ordinal: "[2]" (a member taken by position, e.g. prompt
# template variables).
KeyStyle = Literal["name", "bare", "quoted", "position", "ordinal"]

MarkKind = Literal[
    "json",  # the root of a generic JSON document ("$")
    "body",  # the whole (text) body
    "form",  # a form field
    "part",  # a multipart part
    "filename",  # a file's name
    "content",  # a file part's content
    "file",  # text decoded from a file (not a substring of the field it came from)
    "author",  # a file's author fields: a person's name there does not count
    "string_json",  # a JSON document held in a string ("→")
    "message",  # a WebSocket message or record
    "keys",  # the distinct object keys of a JSON document, scanned as one text
    "joined",  # array elements from the one before to the one named, read as one text
    "url",  # the request's URL path or query
    "header",  # a request header
    "raw",  # a body that did not parse: its string literals and the text between them
    "earlier",  # the end of the connection's previous WebSocket message
]


@dataclass(frozen=True)
class Key:
    """An object member: its real name, its position among the object's keys, and how
    the location shows it."""

    name: str
    position: int = 0
    shown: KeyStyle = "name"

    def render(self) -> str:
        if self.shown == "name":
            return f".{self.name}"
        if self.shown == "bare":
            return self.name
        if self.shown == "quoted":
            return f'["{self.name}"]'
        if self.shown == "position":
            return f"[#{self.position}]"
        return f"[{self.position}]"


@dataclass(frozen=True)
class Index:
    """An array element."""

    index: int

    def render(self) -> str:
        return f"[{self.index}]"


@dataclass(frozen=True)
class Mark:
    """A step that is no JSON member or element, shown as `shown`."""

    kind: MarkKind
    shown: str = ""

    def render(self) -> str:
        return self.shown


Step = Key | Index | Mark


@dataclass(frozen=True)
class Path:
    steps: tuple[Step, ...] = ()

    def then(self, step: Step) -> Path:
        return Path((*self.steps, step))

    def key(self, name: str, position: int = 0, shown: KeyStyle = "name") -> Path:
        return self.then(Key(name, position, shown))

    def index(self, index: int) -> Path:
        return self.then(Index(index))

    def mark(self, kind: MarkKind, shown: str = "") -> Path:
        return self.then(Mark(kind, shown))

    def marks(self) -> set[MarkKind]:
        return {step.kind for step in self.steps if isinstance(step, Mark)}

    def __bool__(self) -> bool:
        return bool(self.steps)

    def __str__(self) -> str:
        out = ""
        for step in self.steps:
            text = step.render()
            # No leading dot at the root or right after entering a JSON string.
            if text.startswith(".") and (not out or out.endswith("→")):
                text = text[1:]
            out += text
        return out


ROOT = Path()
JSON_ROOT = ROOT.mark("json", "$")  # a generic JSON document
BODY = ROOT.mark("body", "body")  # a whole text body
