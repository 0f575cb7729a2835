"""A file's kind from its leading bytes (magic), its content type or its name."""

from __future__ import annotations

import codecs

from extract.file_text.outcome import ARCHIVE, DOCX, IMAGE, PDF, PPTX, TEXT, XLSX
from extract.file_text.text import utf16_guess

_PDF_MAGIC_WINDOW = 1024  # %PDF- may follow some junk; readers accept it within 1 KB


_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\x00\x00\x01\x00", "ico"),
)


# Archive and compression formats the gateway reads (extract/file_text/archive.py,
# compressed.py) ...
_COMPRESSED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
)
# ... and those it cannot read: their members would pass unread, so they are
# "unreadable" (unknown_format), not an unsupported type.
_UNREADABLE_ARCHIVES: tuple[tuple[bytes, str], ...] = (
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!\x1a\x07", "rar archive"),
    (b"\x28\xb5\x2f\xfd", "zstd stream"),
    (b"MSCF\x00\x00\x00\x00", "cab archive"),
    (b"\x04\x22\x4d\x18", "lz4 stream"),
    (b"\x1f\x9d", "compress (.Z) stream"),
    (b"LZIP\x01", "lzip stream"),
    (b"PK\x07\x08", "split zip archive"),
)


_ISO_BMFF_IMAGE_BRANDS = {
    b"heic": "heic",
    b"heix": "heic",
    b"hevc": "heic",
    b"heim": "heic",
    b"heis": "heic",
    b"mif1": "heif",
    b"msf1": "heif",
    b"avif": "avif",
    b"avis": "avif",
}


def sniff(data: bytes) -> tuple[str, str] | None:
    """(kind, description) from the leading bytes, or None when they say nothing."""
    at = data.find(b"%PDF-", 0, _PDF_MAGIC_WINDOW)
    if at == 0 or (at > 0 and not looks_like_text(data)):  # text *about* PDFs stays text
        return PDF, "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip", "zip"
    for prefix, name in _COMPRESSED_MAGIC:
        if data.startswith(prefix):
            return name, name
    if data[:3] == b"BZh" and data[4:10] in (b"1AY&SY", b"\x17\x72\x45\x38\x50\x90"):
        return "bzip2", "bzip2"  # "BZh" + level, then a block's or the end's magic
    if data[257:262] == b"ustar" and _tar_checksum(data[:512]):
        return "tar", "tar"
    for prefix, name in _UNREADABLE_ARCHIVES:
        if data.startswith(prefix):
            return "unknown_archive", name
    for prefix, name in _IMAGE_MAGIC:
        if data.startswith(prefix):
            if name == "bmp" and not _bitmap_header(data):
                continue  # "BM" alone is too weak: "BMW 320d, …" is text
            return IMAGE, name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return IMAGE, "webp"
    if data[4:8] == b"ftyp" and data[8:12] in _ISO_BMFF_IMAGE_BRANDS:
        return IMAGE, _ISO_BMFF_IMAGE_BRANDS[data[8:12]]
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole2", "ole2 container (legacy office file or encrypted office document)"
    return None


def _bitmap_header(data: bytes) -> bool:
    """BITMAPFILEHEADER: reserved zeros, then a DIB header of a known size."""
    dib = int.from_bytes(data[14:18], "little")
    return len(data) >= 26 and data[6:10] == b"\x00" * 4 and dib in (12, 40, 52, 56, 64, 108, 124)


def _tar_checksum(header: bytes) -> bool:
    """A ustar header's checksum (octal at 148, summed with its own field as spaces):
    "ustar" at offset 257 of a text file is no tar."""
    try:
        stored = int(header[148:156].replace(b"\x00", b" ").strip() or b"-1", 8)
    except ValueError:
        return False
    return stored == sum(header[:148]) + 8 * 32 + sum(header[156:512])


_TEXT_EXTENSIONS = frozenset(
    """txt text csv tsv md markdown rst json jsonl ndjson xml html htm xhtml svg yaml yml toml
    ini cfg conf env log properties tex rtf eml vcf ics sql sh bash zsh ps1 bat cmd py pyi
    js mjs cjs ts tsx jsx java kt kts scala go rs c h cc cpp cxx hpp hh cs swift m mm rb php
    pl pm lua r jl dart ex exs erl hs clj vue svelte css scss sass less gradle groovy tf hcl
    dockerfile makefile ipynb""".split()  # noqa: SIM905
)


_IMAGE_EXTENSIONS = frozenset(
    """png jpg jpeg jpe gif webp heic heif avif bmp tif tiff ico jfif""".split()  # noqa: SIM905
)


_ARCHIVE_EXTENSIONS = frozenset(
    """zip jar gz tgz gzip tar bz2 tbz tbz2 xz txz 7z rar zst zstd cab lz4 z lz arj""".split()  # noqa: SIM905
)


_EXT_KIND = {"pdf": PDF, "docx": DOCX, "docm": DOCX, "dotx": DOCX, "dotm": DOCX}
_EXT_KIND |= {"xlsx": XLSX, "xlsm": XLSX, "xltx": XLSX, "xltm": XLSX}
_EXT_KIND |= {"pptx": PPTX, "pptm": PPTX, "ppsx": PPTX, "ppsm": PPTX, "potx": PPTX}


_TEXT_CONTENT_TYPES = frozenset(
    """application/json application/xml application/javascript application/x-javascript
    application/ecmascript application/x-yaml application/yaml application/toml
    application/x-sh application/sql application/csv application/x-ndjson application/rtf
    application/x-httpd-php application/xhtml+xml""".split()  # noqa: SIM905
)


_CT_KIND = {
    "application/pdf": PDF,
    "application/x-pdf": PDF,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": PPTX,
    "application/vnd.ms-word.document.macroenabled.12": DOCX,
    "application/vnd.ms-excel.sheet.macroenabled.12": XLSX,
    "application/vnd.ms-powerpoint.presentation.macroenabled.12": PPTX,
}
_CT_KIND |= dict.fromkeys(
    """application/zip application/x-zip-compressed application/gzip application/x-gzip
    application/x-tar application/x-gtar application/x-bzip2 application/x-xz
    application/x-7z-compressed application/vnd.rar application/x-rar-compressed
    application/zstd application/x-compress""".split(),  # noqa: SIM905
    ARCHIVE,
)


def claimed_kind(content_type: str | None, filename: str | None) -> str | None:
    """Kind claimed by the content type, else by the extension; None if neither says."""
    ct = (content_type or "").split(";")[0].strip().lower()
    if ct:
        if ct in _CT_KIND:
            return _CT_KIND[ct]
        if ct == "image/svg+xml":
            return TEXT
        if ct.startswith("image/"):
            return IMAGE
        if ct.startswith("text/") or ct in _TEXT_CONTENT_TYPES or ct.endswith(("+json", "+xml")):
            return TEXT
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].lower()
    ext = name.rsplit(".", 1)[-1] if "." in name else name
    if ext in _EXT_KIND:
        return _EXT_KIND[ext]
    if ext in _IMAGE_EXTENSIONS:
        return IMAGE
    if ext in _ARCHIVE_EXTENSIONS:
        return ARCHIVE
    if ext in _TEXT_EXTENSIONS:
        return TEXT
    return None


_CONTROL = frozenset(range(32)) - {9, 10, 12, 13, 27}


def looks_like_text(data: bytes) -> bool:
    """A content sniff for files nothing else identifies (no magic, no useful hint)."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    head = data[:8192]
    if utf16_guess(head):
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if b in _CONTROL)
    return controls <= len(head) // 100


_KNOWN_EXTENSIONS = _TEXT_EXTENSIONS | _IMAGE_EXTENSIONS | _ARCHIVE_EXTENSIONS | set(_EXT_KIND)
_KNOWN_EXTENSIONS |= {"doc", "xls", "ppt", "odt", "ods", "odp", "rtf", "pages", "numbers", "key"}


def name_text(name: str) -> str:
    """A file name as it is scanned: the name, and -- when it holds an "@" and ends in
    known extensions -- the name without them on a line of its own, so that
    "max@firma.de.pdf" is found as the address it is (".pdf" is no top-level domain);
    the whole name stays too ("max@firma.pl": Poland, or Perl). Other values end at the
    dot anyway."""
    if "@" not in name:
        return name
    stem = name
    while "." in stem:
        head, _, extension = stem.rpartition(".")
        if not head or extension.lower() not in _KNOWN_EXTENSIONS:
            break
        stem = head
    return name if stem == name else f"{name}\n{stem}"
