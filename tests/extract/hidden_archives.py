"""Archives and images that carry a value in one place only, and files the gateway cannot
read completely (each a bound, encryption, a broken or unknown format).

Builders take the value (or nothing, for the unreadable ones) and return file bytes;
built with zipfile, tarfile, gzip, bz2, lzma and Pillow, patched by hand where a library
refuses to write the hostile shape (an encrypted flag, a 2 GB claim).
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import struct
import tarfile
import zipfile
from collections.abc import Callable

from tests.extract.file_samples import encrypted_pdf_bytes, pdf_bytes

CLEAN = "Quartalsbericht: Umsatz gestiegen."


def zip_of(members: dict[str, bytes], comment: bytes = b"") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
        zf.comment = comment
    return out.getvalue()


def tar_of(members: dict[str, bytes], mode: str = "w") -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode) as tf:  # type: ignore[call-overload]
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tf.addfile(info, io.BytesIO(body))
    return out.getvalue()


def zip_member(value: str) -> bytes:
    return zip_of({"liesmich.txt": CLEAN.encode(), "kunden.csv": f"kunde\n{value}\n".encode()})


def zip_member_name(value: str) -> bytes:
    return zip_of({"liesmich.txt": CLEAN.encode(), f"{value}.txt": CLEAN.encode()})


def zip_comment(value: str) -> bytes:
    return zip_of({"liesmich.txt": CLEAN.encode()}, comment=value.encode())


def zip_member_pdf(value: str) -> bytes:
    return zip_of({"bericht.pdf": pdf_bytes([CLEAN, value])})


def zip_in_zip(value: str) -> bytes:
    return zip_of({"innen.zip": zip_member(value)})


def gzip_file(value: str) -> bytes:
    return gzip.compress(f"{CLEAN}\n{value}\n".encode())


def gzip_name(value: str) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(filename=f"{value}.txt", mode="wb", fileobj=out) as handle:
        handle.write(CLEAN.encode())
    return out.getvalue()


def tar_member(value: str) -> bytes:
    return tar_of({"a/liesmich.txt": CLEAN.encode(), "a/kunden.txt": value.encode()})


def tar_gz_member(value: str) -> bytes:
    return tar_of({"a/kunden.txt": value.encode()}, "w:gz")


def tar_bz2_member(value: str) -> bytes:
    return bz2.compress(tar_of({"kunden.txt": value.encode()}))


def xz_file(value: str) -> bytes:
    return lzma.compress(value.encode())


def _image(fmt: str, **params: object) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, fmt, **params)
    return out.getvalue()


def png_text(kind: str) -> Callable[[str], bytes]:
    def build(value: str) -> bytes:
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        if kind == "tEXt":
            info.add_text("Comment", value)
        elif kind == "zTXt":
            info.add_text("Comment", value, zip=True)
        else:
            info.add_itxt("Description", value, lang="de", tkey="Beschreibung", zip=True)
        return _image("PNG", pnginfo=info)

    return build


def png_after_end(value: str) -> bytes:
    return _image("PNG") + zip_member(value)


def jpeg_exif(value: str) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010E] = value  # ImageDescription
    return _image("JPEG", exif=exif.tobytes())


def jpeg_user_comment(value: str) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9286] = b"ASCII\x00\x00\x00" + value.encode()
    return _image("JPEG", exif=exif.tobytes())


def jpeg_comment(value: str) -> bytes:
    return _image("JPEG", comment=value.encode())


def jpeg_xmp(value: str) -> bytes:
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        '22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{value}</dc:title></rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    return _image("JPEG", xmp=xmp.encode())


def jpeg_iptc(value: str) -> bytes:
    raw = value.encode()
    dataset = b"\x1c\x02\x78" + struct.pack(">H", len(raw)) + raw  # 2:120 caption
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(dataset)) + dataset
    if len(dataset) % 2:
        resource += b"\x00"
    segment = b"Photoshop 3.0\x00" + resource
    image = _image("JPEG")
    return image[:2] + b"\xff\xed" + struct.pack(">H", len(segment) + 2) + segment + image[2:]


# place -> (file name, builder); the value is only in that place.
ARCHIVE_PLACES: dict[str, tuple[str, Callable[[str], bytes]]] = {
    "zip member": ("daten.zip", zip_member),
    "zip member name": ("daten.zip", zip_member_name),
    "zip comment": ("daten.zip", zip_comment),
    "pdf in a zip": ("daten.zip", zip_member_pdf),
    "zip in a zip": ("daten.zip", zip_in_zip),
    "gzip": ("kunden.csv.gz", gzip_file),
    "gzip header name": ("daten.gz", gzip_name),
    "tar member": ("daten.tar", tar_member),
    "tar.gz member": ("daten.tgz", tar_gz_member),
    "tar.bz2 member": ("daten.tar.bz2", tar_bz2_member),
    "xz": ("kunden.txt.xz", xz_file),
    "png tEXt": ("bild.png", png_text("tEXt")),
    "png zTXt": ("bild.png", png_text("zTXt")),
    "png iTXt": ("bild.png", png_text("iTXt")),
    "zip after a png": ("bild.png", png_after_end),
    "jpeg exif description": ("foto.jpg", jpeg_exif),
    "jpeg exif user comment": ("foto.jpg", jpeg_user_comment),
    "jpeg comment": ("foto.jpg", jpeg_comment),
    "jpeg xmp": ("foto.jpg", jpeg_xmp),
    "jpeg iptc caption": ("foto.jpg", jpeg_iptc),
}


# ---- files that cannot be read completely ------------------------------------------


def many_members(count: int = 10_001) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for index in range(count):
            zf.writestr(f"{index}.txt", b"")
    return out.getvalue()


def oversize_member(size: int = 40 * 1024 * 1024) -> bytes:
    """One member of `size` zero bytes (deflated to ~size/1000)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("nullen.bin", "w", force_zip64=True) as member,
    ):
        chunk = bytes(1024 * 1024)
        for _ in range(size // len(chunk)):
            member.write(chunk)
    return out.getvalue()


def claimed_2gb() -> bytes:
    """A member whose directory entry claims 2 GB (2**31) uncompressed."""
    data = bytearray(zip_of({"gross.txt": CLEAN.encode()}))
    at = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, at + 24, 2**31)  # uncompressed size in the directory
    return bytes(data)


def encrypted_member() -> bytes:
    """A member with the 'encrypted' flag set (zipfile cannot write ZipCrypto)."""
    data = bytearray(zip_of({"geheim.txt": CLEAN.encode()}))
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        flags = struct.unpack_from("<H", data, at + flags_at)[0]
        struct.pack_into("<H", data, at + flags_at, flags | 0x1)
    return bytes(data)


def nested(depth: int = 6) -> bytes:
    data = CLEAN.encode()
    for level in range(depth):
        data = zip_of({f"ebene{level}.zip" if level else "innen.txt": data})
    return data


def ratio_bomb() -> bytes:
    """2 MB of zeros in a member: over the ratio bound, under the size bounds."""
    return zip_of({"nullen.txt": bytes(2 * 1024 * 1024)})


def hidden_entry() -> bytes:
    """A local file header the directory does not list (a streaming unzipper sees it)."""
    hidden = zip_of({"versteckt.txt": CLEAN.encode()})
    listed = zip_of({"liesmich.txt": CLEAN.encode()})
    local_end = hidden.find(b"PK\x01\x02")
    shift = local_end
    data = bytearray(hidden[:local_end] + listed)
    # the listed member's directory entry and end record now sit `shift` bytes later
    at = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, at + 42, struct.unpack_from("<I", data, at + 42)[0] + shift)
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<I", data, end + 16, struct.unpack_from("<I", data, end + 16)[0] + shift)
    return bytes(data)


def encrypted_office() -> bytes:
    """An OLE2 container with an EncryptedPackage stream (password-protected .docx)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le")


SEVEN_ZIP = b"7z\xbc\xaf\x27\x1c\x00\x04"
RAR = b"Rar!\x1a\x07\x01\x00"


def long_pdf(pages: int = 501) -> bytes:
    """One page more than the gateway reads (extract/file_text/pdf.py PDF_MAX_PAGES)."""
    return pdf_bytes([CLEAN], pages=pages)


# case -> (file name, builder, the reason the gateway gives)
UNREADABLE_FILES: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "10,001 zip members": ("viele.zip", many_members, "too_many_members"),
    "an over-size member": ("gross.zip", oversize_member, "too_large"),
    "a 2 GB-claimed member": ("gross.zip", claimed_2gb, "too_large"),
    "a ratio bomb": ("nullen.zip", ratio_bomb, "inflates_too_much"),
    "zips nested 6 deep": ("tief.zip", nested, "nested_too_deep"),
    "an encrypted zip member": ("geheim.zip", encrypted_member, "encrypted"),
    "a hidden zip entry": ("versteckt.zip", hidden_entry, "corrupt"),
    "a 7z archive": (
        "daten.7z",
        lambda: b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(100),
        "unknown_format",
    ),
    "a rar archive": ("daten.rar", lambda: b"Rar!\x1a\x07\x01\x00" + bytes(100), "unknown_format"),
    "an encrypted pdf": ("geheim.pdf", lambda: encrypted_pdf_bytes([CLEAN]), "encrypted"),
    "an encrypted docx": ("geheim.docx", encrypted_office, "encrypted"),
    "a pdf past the page bound": (
        "lang.pdf",
        lambda: pdf_bytes([CLEAN], pages=501),
        "too_many_pages",
    ),
    "a truncated zip": ("kaputt.zip", lambda: zip_member(CLEAN)[:-30], "corrupt"),
    "a truncated gzip": ("kaputt.gz", lambda: gzip_file(CLEAN)[:-12], "corrupt"),
}
