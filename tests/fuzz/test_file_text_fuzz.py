"""file_text never raises: any bytes, name, type and limit give a FileText."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from extract.file_text import FileText, file_text
from tests.fuzz.support import CHARSETS, MEDIA, _files, budget, mutated_bytes, tick

STATUSES = {"scanned", "image_not_scanned", "unsupported", "unreadable"}
KINDS = {"pdf", "docx", "xlsx", "pptx", "text", "image", "archive", "unknown"}
MAGIC = (
    b"%PDF-1.4\n",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF89a",
    b"\x00\x00\x00\x18ftypheic",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"",
)
NAMES = st.one_of(
    st.none(),
    st.sampled_from(["a.pdf", "b.docx", "c.xlsx", "d.pptx", "e.png", "f.txt", "g", ".", "a.PDF"]),
    st.text(max_size=20),
)
TYPES = st.one_of(
    st.none(),
    st.sampled_from(MEDIA),
    st.sampled_from(CHARSETS).map(lambda c: f"text/plain; charset={c}"),
    st.text(max_size=30),
)
LIMITS = st.one_of(st.integers(0, 1 << 16), st.just(32 * 1024 * 1024), st.integers(-2, 2))


def check(data: bytes, filename: str | None, content_type: str | None, limit: int) -> None:
    result = file_text(data, filename, content_type, limit)
    assert isinstance(result, FileText)
    assert result.status in STATUSES and result.kind in KINDS
    assert (result.status == "unreadable") == (result.why is not None)
    assert isinstance(result.detail, str)
    assert result.text is None or isinstance(result.text, str)
    if result.status == "scanned":
        assert result.text is not None and len(result.text) <= max(limit, 0)


@budget(3)
@given(
    magic=st.sampled_from(MAGIC),
    tail=st.binary(max_size=600),
    filename=NAMES,
    content_type=TYPES,
    limit=LIMITS,
)
def test_random_bytes_behind_magic_numbers(
    magic: bytes, tail: bytes, filename: str | None, content_type: str | None, limit: int
) -> None:
    tick()
    check(magic + tail, filename, content_type, limit)


@budget(2)
@given(
    kind=st.sampled_from(["pdf", "docx", "xlsx", "pptx", "png"]),
    data=st.data(),
    filename=NAMES,
    content_type=TYPES,
    limit=LIMITS,
)
def test_damaged_real_files(
    kind: str, data: st.DataObject, filename: str | None, content_type: str | None, limit: int
) -> None:
    """Real PDF/Office/PNG files, truncated, flipped, spliced."""
    tick()
    check(data.draw(mutated_bytes(_files()[kind])), filename, content_type, limit)


@budget(1)
@given(
    text=st.text(max_size=300),
    codec=st.sampled_from(["utf-8", "utf-16", "utf-32", "latin-1"]),
    filename=NAMES,
    limit=LIMITS,
)
def test_text_files(text: str, codec: str, filename: str | None, limit: int) -> None:
    tick()
    data = (
        text.encode(codec, "surrogatepass") if codec != "latin-1" else text.encode(codec, "replace")
    )
    check(data, filename, None, limit)
