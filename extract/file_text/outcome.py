"""What reading a file gives (FileText), the errors format readers raise to say why
they stopped, and the Collector their text goes into (extract/file_text/runner.py
turns every outcome into a FileText)."""

from __future__ import annotations

from dataclasses import dataclass

# Status values.
SCANNED = "scanned"
IMAGE_NOT_SCANNED = "image_not_scanned"  # an image, a scan without a text layer: no OCR
UNSUPPORTED = "unsupported"  # a type the gateway has no reader for (legacy Office, audio…)
UNREADABLE = "unreadable"  # a file that could not be read completely: see `why`

# Why a file is unreadable (FileText.why; recorded as `unreadable_file:<why>:<action>`).
TOO_LARGE = "too_large"  # the file, one of its members or its text is over a size bound
TOO_MANY_PAGES = "too_many_pages"  # a PDF with more pages than are read
TOO_MANY_MEMBERS = "too_many_members"  # an archive with more members than are read
INFLATES_TOO_MUCH = "inflates_too_much"  # a zip bomb: total or ratio over the bound
NESTED_TOO_DEEP = "nested_too_deep"  # archives in archives, deeper than the bound
ENCRYPTED = "encrypted"  # a password-protected PDF, zip member, Office document
CORRUPT = "corrupt"  # broken, truncated or inconsistent; the parser gave up
UNKNOWN_FORMAT = "unknown_format"  # an archive or compression format with no reader (7z…)
PART_OF_FILE = "part_of_file"  # a slice of a file uploaded in parts (Uploads API)

# The order in which the employee's message explains them: the most specific first.
UNREADABLE_REASONS = (
    PART_OF_FILE,
    ENCRYPTED,
    TOO_MANY_PAGES,
    TOO_MANY_MEMBERS,
    INFLATES_TOO_MUCH,
    NESTED_TOO_DEEP,
    TOO_LARGE,
    UNKNOWN_FORMAT,
    CORRUPT,
)


# Kind values.
PDF = "pdf"
DOCX = "docx"
XLSX = "xlsx"
PPTX = "pptx"
TEXT = "text"
IMAGE = "image"
ARCHIVE = "archive"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class FileText:
    """The outcome of reading one file.

    text:   the text read (body, metadata, names of members, members' text); None when
            nothing was read. An image or an unreadable file may still carry text: an
            image's metadata, the first pages of a PDF over the page bound.
    status: "scanned" | "image_not_scanned" | "unsupported" | "unreadable"
    detail: short reason or description, never file content ("pdf, 3 pages").
    kind:   "pdf" | "docx" | "xlsx" | "pptx" | "text" | "image" | "archive" | "unknown"
    why:    for "unreadable" only: one of UNREADABLE_REASONS.
    authors: what the fields naming the file's author or last editor hold (PDF /Author,
            Office creator and lastModifiedBy, EXIF Artist …), apart from `text`: the
            gateway does not count a person's name found there (it is whoever saved the
            file, ordinarily the employee sending it) but everything else it finds.
    """

    text: str | None
    status: str
    detail: str
    kind: str
    why: str | None = None
    authors: str | None = None


class Unreadable(Exception):
    """Raised inside a reader when the file cannot be read completely; the text read so
    far stays in the reader's Collector."""

    def __init__(self, why: str, detail: str) -> None:
        super().__init__(detail)
        self.why = why
        self.detail = detail


class TooLarge(Unreadable):
    def __init__(self, detail: str) -> None:
        super().__init__(TOO_LARGE, detail)


class Unsupported(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NoTextLayer(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def unreadable(why: str, detail: str, kind: str, text: str | None = None) -> FileText:
    return FileText(text or None, UNREADABLE, detail, kind, why)


# How much less than everything was read: a container is as unread as its worst member.
RANK = {SCANNED: 0, IMAGE_NOT_SCANNED: 1, UNSUPPORTED: 1, UNREADABLE: 2}


class Collector:
    """Accumulates text pieces and stops with TooLarge past `limit` characters; keeps
    the worst outcome of the files nested in this one (archive members, attachments)."""

    def __init__(self, limit: int, kind: str) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit
        self.kind = kind
        self.worst: FileText | None = None  # None: everything nested was read
        self.authors: list[str] = []  # author fields (FileText.authors), also nested ones

    def add(self, piece: str) -> None:
        if not piece:
            return
        self.parts.append(piece)
        self.size += len(piece)
        if self.size > self.limit:
            raise TooLarge(f"{self.kind}; text exceeds {self.limit}")

    def line(self, piece: str | None) -> None:
        """`piece` on a line of its own (pieces are separated, not terminated, by "\n")."""
        if piece and piece.strip():
            if self.parts and not self.parts[-1].endswith("\n"):
                self.add("\n")
            self.add(piece.rstrip("\n"))

    def author(self, value: str) -> None:
        """The value of a field naming the file's author (see FileText.authors)."""
        if value.strip():
            self.authors.append(value.strip())
            self.size += len(value)
            if self.size > self.limit:
                raise TooLarge(f"{self.kind}; text exceeds {self.limit}")

    def author_text(self) -> str | None:
        return "\n".join(self.authors) or None

    def merge(self, nested: FileText) -> None:
        """A nested file's outcome: its text goes in, its status counts for this file."""
        if nested.text:
            self.line(nested.text)
        if nested.authors:
            self.author(nested.authors)
        if RANK[nested.status] > RANK[self.worst.status if self.worst else SCANNED]:
            self.worst = nested

    def text(self) -> str:
        return "".join(self.parts)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
