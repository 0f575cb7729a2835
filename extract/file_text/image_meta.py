"""The text images carry besides their pixels: PNG tEXt/zTXt/iTXt chunks, EXIF (JPEG,
PNG, WebP, TIFF), XMP, JPEG comments and IPTC captions. The pixels themselves are not
read (no OCR): an image stays "image_not_scanned" and the policy's `unscanned_files`
decides, but what its metadata says is scanned. Bytes after the image's end marker
(a zip glued to a JPEG) are read as a file of their own.

PNG chunks and JPEG segments are walked here with the standard library rather than
Pillow: Pillow reads text chunks behind the image data only by decoding every pixel,
and the walk is a few bounded loops over lengths. EXIF's TIFF structure is Pillow's
(Image.Exif), a dependency of matplotlib already.
"""

from __future__ import annotations

import zlib

from extract.file_text.bounds import Budget
from extract.file_text.metadata import field, xml_strings
from extract.file_text.outcome import Collector, NoTextLayer, TooLarge

_PNG_TEXT = (b"tEXt", b"zTXt", b"iTXt")
_XMP = b"http://ns.adobe.com/xap/1.0/\x00"
_XMP_EXTENSION = b"http://ns.adobe.com/xmp/extension/\x00"
_EXIF = b"Exif\x00\x00"
_PHOTOSHOP = b"Photoshop 3.0\x00"
# EXIF tags stored as bytes that hold text: XPTitle, XPComment, XPAuthor, XPKeywords,
# XPSubject (UTF-16LE), UserComment (an 8-byte charset code, then the text).
_XP_TAGS = {0x9C9B: "XPTitle", 0x9C9C: "XPComment", 0x9C9D: "XPAuthor"}
_XP_TAGS |= {0x9C9E: "XPKeywords", 0x9C9F: "XPSubject"}
_USER_COMMENT = 0x9286
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
# IPTC datasets naming an author: By-line, Writer/Editor.
_IPTC_AUTHORS = (80, 122)


def read_image(data: bytes, out: Collector, budget: Budget, what: str) -> str:
    end = len(data)
    if what == "png":
        end = _png(data, out)
    elif what == "jpeg":
        end = _jpeg(data, out)
    elif what == "webp":
        _webp(data, out)
    elif what == "tiff":
        exif(data, out)
    trailing = data[end:]
    if trailing.strip(b"\x00\r\n \t"):
        budget.take_members(1, f"data after the {what} image")
        out.merge(budget.nested(trailing, None))
    raise NoTextLayer(f"image, {what}")


def _png(data: bytes, out: Collector) -> int:
    """Text chunks of a PNG; returns where the image ends (after IEND)."""
    position = 8
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind in _PNG_TEXT:
            _png_text(kind, body, out)
        elif kind == b"eXIf":
            exif(body, out)
        elif kind == b"IEND":
            return position
    return len(data)


def _png_text(kind: bytes, body: bytes, out: Collector) -> None:
    keyword, _, rest = body.partition(b"\x00")
    key = keyword.decode("latin-1")
    out.line(key)
    if kind == b"tEXt":
        field(out, key, rest.decode("latin-1"))
    elif kind == b"zTXt":  # compression method byte, then zlib
        field(out, key, _inflate(rest[1:], out).decode("latin-1"))
    else:  # iTXt: compressed flag, method, language\0, translated keyword\0, UTF-8 text
        compressed = rest[:1] == b"\x01"
        _language, _, rest = rest[2:].partition(b"\x00")
        translated, _, text = rest.partition(b"\x00")
        out.line(translated.decode("utf-8", errors="replace"))
        if compressed:
            text = _inflate(text, out)
        field(out, key, text.decode("utf-8", errors="replace"))


def _inflate(data: bytes, out: Collector) -> bytes:
    """A compressed text chunk, never beyond what the collector may still take."""
    room = max(out.limit - out.size, 0) + 1
    stream = zlib.decompressobj()
    text = stream.decompress(data, room)
    if len(text) >= room:
        raise TooLarge(f"image text chunk exceeds {out.limit}")
    return text


def _jpeg(data: bytes, out: Collector) -> int:
    """Metadata segments of a JPEG; returns where the image ends (after EOI)."""
    extended: list[bytes] = []
    position = 2
    while position + 2 <= len(data):
        if data[position] != 0xFF:  # stray bytes: decoders skip to the next marker
            position = _next_marker(data, position)
            continue
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:  # end of image
            position += 2
            break
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # no length
            position += 2
            continue
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        segment = data[position + 4 : position + 2 + length]
        position += 2 + length
        if marker == 0xDA:  # entropy-coded data up to the next marker
            position = _next_marker(data, position)
        elif marker == 0xE1 and segment.startswith(_EXIF):
            exif(segment, out)
        elif marker == 0xE1 and segment.startswith(_XMP):
            xml_strings(segment[len(_XMP) :], out)
        elif marker == 0xE1 and segment.startswith(_XMP_EXTENSION):
            extended.append(segment[len(_XMP_EXTENSION) + 40 :])  # GUID, sizes, data
        elif marker == 0xFE:  # comment
            out.line(segment.decode("utf-8", errors="replace"))
        elif marker == 0xED and segment.startswith(_PHOTOSHOP):
            _iptc(segment[len(_PHOTOSHOP) :], out)
    if extended:
        out.line(b"".join(extended).decode("utf-8", errors="replace"))
    return min(position, len(data))


def _next_marker(data: bytes, position: int) -> int:
    while True:
        at = data.find(b"\xff", position)
        if at < 0 or at + 1 >= len(data):
            return len(data)
        following = data[at + 1]
        if following == 0x00 or following == 0xFF or 0xD0 <= following <= 0xD7:
            position = at + 1  # stuffed byte, fill byte, restart marker
            continue
        return at


def _iptc(resources: bytes, out: Collector) -> None:
    """IPTC-NAA datasets inside Photoshop's 8BIM resources (resource 0x0404)."""
    position = 0
    while resources.startswith(b"8BIM", position) and position + 12 <= len(resources):
        resource = int.from_bytes(resources[position + 4 : position + 6], "big")
        name_length = resources[position + 6]
        position += 6 + ((name_length + 2) & ~1)  # Pascal string, padded to even
        size = int.from_bytes(resources[position : position + 4], "big")
        block = resources[position + 4 : position + 4 + size]
        position += 4 + size + (size & 1)
        if resource == 0x0404:
            _iptc_datasets(block, out)


def _iptc_datasets(block: bytes, out: Collector) -> None:
    position = 0
    while position + 5 <= len(block) and block[position] == 0x1C:
        record, dataset = block[position + 1], block[position + 2]
        size = int.from_bytes(block[position + 3 : position + 5], "big")
        value = block[position + 5 : position + 5 + size]
        position += 5 + size
        if record == 2 and dataset != 0:  # the application record; 0 is its version
            key = "by-line" if dataset in _IPTC_AUTHORS else "iptc"
            field(out, key, value.decode("utf-8", errors="replace"))


def _webp(data: bytes, out: Collector) -> None:
    position = 12
    while position + 8 <= len(data):
        kind = data[position : position + 4]
        size = int.from_bytes(data[position + 4 : position + 8], "little")
        body = data[position + 8 : position + 8 + size]
        position += 8 + size + (size & 1)
        if kind == b"EXIF":
            exif(body, out)
        elif kind == b"XMP ":
            xml_strings(body, out)


def exif(data: bytes, out: Collector) -> None:
    """Text of an EXIF block (a TIFF structure): IFD0, the Exif and GPS IFDs."""
    from PIL import ExifTags, Image

    block = Image.Exif()
    block.load(data)
    tables = [block.items()]
    for pointer in (_EXIF_IFD, _GPS_IFD):
        if pointer in block:
            tables.append(block.get_ifd(pointer).items())
    for items in tables:
        for tag, value in items:
            name = ExifTags.TAGS.get(tag, "")
            if tag in _XP_TAGS and isinstance(value, bytes | tuple):
                raw = bytes(value)
                field(out, _XP_TAGS[tag], raw.decode("utf-16-le", errors="replace").strip("\x00"))
            elif tag == _USER_COMMENT and isinstance(value, bytes):
                codec = "utf-16" if value.startswith(b"UNICODE") else "utf-8"
                out.line(value[8:].decode(codec, errors="replace").strip("\x00"))
            elif isinstance(value, str):
                field(out, "artist" if name in ("Artist", "CameraOwnerName") else name, value)
