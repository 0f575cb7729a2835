"""What an extractor returns: the prompt's text parts, inline content it could not read.

Every text part carries its structured path (extract/path.py); its location is that
path rendered, as the findings log keeps it.

Locations (TextPart.location, Prompt.unscanned, Unreadable.location):
- JSON bodies of dedicated extractors: the exact JSON path from the root, keys joined by
  ".", array indexes in brackets, e.g. "messages[1].content[0].text"; a key that is not
  an identifier is written quoted in brackets, e.g. '["0"].json.content'.
- Inline files (base64 data URLs, inline_data, document sources): the location of the
  field holding the encoded file, e.g. "input[0].content[1].file_data"; the TextPart
  holds the decoded text, which is not a substring of that field.
- Generic JSON: "$" plus the path; keys that are not identifiers are located by their
  position among the object's keys, "[#2]", so no caller data lands in the log.
- Generic form and multipart: "form.<field>" / "multipart.<name>" (or "[#<index>]"),
  ".filename" and ".content" for file parts, "body" for a whole text body.
- Web extractors with non-JSON bodies: "form:<field>" for a form field, then the JSON
  path inside it; "multipart:<name>[<k>]" for the k-th part named <name>; "→" enters a
  JSON document held in a string, e.g. "form:f.req[1]→[0][0]" (the JSON string at
  [1] of the f.req field, then [0][0] inside it) or "multipart:data[0]→inputs".
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from extract.path import Path

Api = Literal[
    # provider APIs
    "openai_chat",
    "openai_responses",
    "openai_completions",
    "openai_embeddings",
    "ollama_chat",
    "ollama_generate",
    "anthropic_messages",
    "gemini_generate",
    "bedrock_invoke",
    "bedrock_converse",
    "bedrock_other",
    # web apps (extract/web/)
    "chatgpt_web",
    "claude_web",
    "gemini_web",
    "perplexity_web",
    "deepseek_web",
    "lechat_web",
    "lechat_chat",
    "lechat_upload",
    "poe_graphql",
    "poe_upload",
    "huggingchat",
    "m365_upload",
    # anything else
    "generic",
]


@dataclass(frozen=True)
class TextPart:
    path: Path  # where the text sits (extract/path.py), e.g. messages[1].content[0].text
    text: str

    @cached_property
    def location(self) -> str:
        """The path as stored in the findings log, e.g. "messages[1].content[0].text"."""
        return str(self.path)


@dataclass(frozen=True)
class Unscanned:
    """Inline content that reaches the model without being scanned (an image, a binary
    file without extractable text): its path only, never its content."""

    path: Path


@dataclass(frozen=True)
class Skipped:
    """A value an extractor read and deliberately does not scan (token ids), by a row of
    extract/coverage.py's table: the residual walker leaves it alone too."""

    path: Path


@dataclass(frozen=True)
class Unreadable:
    """A file that could not be read completely (over a bound, encrypted, broken, an
    archive format without a reader, a slice of a file uploaded in parts): its path and
    why (extract/file_text/outcome.py UNREADABLE_REASONS), never its content. The text
    that could be read of it is a TextPart all the same."""

    path: Path
    why: str

    @property
    def location(self) -> str:
        return str(self.path)


@dataclass(frozen=True)
class Prompt:
    api: Api
    parts: tuple[TextPart, ...]
    stream: bool
    model: str | None
    # Locations of inline content sent along but not scanned: images, and files whose
    # text could not be read (unsupported type, too large, broken). References to content
    # stored elsewhere (file ids, URLs, asset pointers) are not listed: no data of theirs
    # travels in the request.
    unscanned: tuple[str, ...] = ()
    # Paths of what the extractor took without a text part of its own (inline files it
    # could not read, token ids): the residual walker (extract/residual.py) skips them.
    consumed: tuple[Path, ...] = field(default=(), repr=False, compare=False)
    # How many parts in front are not the extractor's own: what the residual walker
    # added (extract/residual.py), and the URL and header parts the guard puts first.
    residual: int = 0
    # Files that could not be read completely: the policy's `unreadable_files` decides.
    unreadable: tuple[Unreadable, ...] = ()
    # Locations of requests for uploads that bypass the gateway (see Unseen).
    unseen: tuple[str, ...] = ()
    # The answer encoding the client asked for, when it says (ChatGPT's
    # `supported_encodings`: "v1"); answers/ replies in it.
    answer_encoding: str | None = None


class ExtractError(ValueError):
    """Body is not what the endpoint expects (bad JSON, wrong types).

    The message says what is wrong and where, never echoes body content.
    """


@dataclass(frozen=True)
class Unseen:
    """A file the request prepares to send where the gateway never sees it (Le Chat asks
    for a signed upload URL on a storage host outside the catalog): its path only."""

    path: Path


Found = TextPart | Unscanned | Skipped | Unreadable | Unseen


# Reads one request body (bytes, the Content-Type header) into a Prompt.
Reader = Callable[[bytes, str | None], Prompt]


def prompt_of(
    api: Api,
    found: Sequence[Found],
    *,
    stream: bool,
    model: str | None,
    answer_encoding: str | None = None,
) -> Prompt:
    """A Prompt from what a walker found: text parts, unscanned, unreadable and unseen
    files."""
    parts = tuple(f for f in found if isinstance(f, TextPart))
    unscanned = tuple(str(f.path) for f in found if isinstance(f, Unscanned))
    # Unscanned, unreadable and unseen files and skipped values were taken by the
    # extractor without a text part of their own: the residual walker must not read
    # them again.
    consumed = tuple(f.path for f in found if not isinstance(f, TextPart))
    unreadable = tuple(f for f in found if isinstance(f, Unreadable))
    unseen = tuple(str(f.path) for f in found if isinstance(f, Unseen))
    return Prompt(
        api=api,
        parts=parts,
        stream=stream,
        model=model,
        unscanned=unscanned,
        consumed=consumed,
        unreadable=unreadable,
        unseen=unseen,
        answer_encoding=answer_encoding,
    )
