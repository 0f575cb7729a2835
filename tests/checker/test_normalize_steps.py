"""Each normalisation step, table-driven: what it rewrites, and what it must leave alone.

A row is (input, expected output). For a rewrite, `value` (a substring of the output)
must map back to `original` (a substring of the input): the span a redaction would
replace.
"""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Callable

import pytest

from checker.normalize import (
    base64_blobs,
    email_obfuscation,
    homoglyphs,
    html_entities,
    identifiers,
    invisible,
    json_escapes,
    percent,
    spaced,
    spaces,
    unicode_form,
)
from checker.normalize.offsets import Normalized, Rewrite
from checker.normalize.sketch import Sketch

CARD = "4111111111111111"
IBAN = "DE89370400440532013000"
Step = Callable[[str], Rewrite | None]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _base64(text: str) -> Rewrite | None:
    return base64_blobs.rewrite(text, None)


REWRITES: list[tuple[str, Step, str, str, str, str]] = [
    # (id, step, input, expected output, value in the output, original it maps to)
    ("js-hex-escape", json_escapes.rewrite, r"max\x40firma\x2ede", "max@firma.de", "@", r"\x40"),
    (
        "json-u",
        json_escapes.rewrite,
        r"IBAN \u0044\u0045\u0038\u0039",
        "IBAN DE89",
        "DE89",
        r"\u0044\u0045\u0038\u0039",
    ),
    (
        "json-surrogate-pair",
        json_escapes.rewrite,
        r"x \ud83d\ude00 y",
        "x \U0001f600 y",
        "\U0001f600",
        r"\ud83d\ude00",
    ),
    ("json-zero-width", json_escapes.rewrite, r"D\u200bE", "D\u200bE", "\u200b", r"\u200b"),
    ("html-decimal", html_entities.rewrite, "max&#64;firma.de", "max@firma.de", "@", "&#64;"),
    ("html-hex", html_entities.rewrite, "max&#x40;firma.de", "max@firma.de", "@", "&#x40;"),
    (
        "html-named",
        html_entities.rewrite,
        "max&commat;firma&period;de",
        "max@firma.de",
        "max@firma.de",
        "max&commat;firma&period;de",
    ),
    ("html-no-semicolon", html_entities.rewrite, "max&#64firma.de", "max@firma.de", "@", "&#64"),
    (
        "percent-at",
        percent.rewrite,
        "mail=max%40firma.de",
        "mail=max%40firma.de mail=max@firma.de",
        "max@firma.de",
        "max%40firma.de",
    ),
    (
        "percent-space",
        percent.rewrite,
        "DE89%203704",
        "DE89%203704 DE89 3704",
        "DE89 3704",
        "DE89%203704",
    ),
    ("percent-utf8", percent.rewrite, "Gr%C3%BC%C3%9Fe", "Gr%C3%BC%C3%9Fe Grüße", "ü", "%C3%BC"),
    ("percent-twice", percent.rewrite, "a%2540b", "a%2540b a@b", "@", "%2540"),
    (
        "base64-blob",
        _base64,
        f"Daten: {_b64('IBAN ' + IBAN)} Ende",
        f"Daten: {_b64('IBAN ' + IBAN)}\nIBAN {IBAN}\n Ende",
        IBAN,
        _b64("IBAN " + IBAN),
    ),
    (
        "base64-url-safe",
        _base64,
        "x " + base64.urlsafe_b64encode(b"max@firma.de??>>").decode(),
        "x " + base64.urlsafe_b64encode(b"max@firma.de??>>").decode() + "\nmax@firma.de??>>\n",
        "max@firma.de",
        base64.urlsafe_b64encode(b"max@firma.de??>>").decode(),
    ),
    (
        "data-url-text",
        _base64,
        "data:text/plain;base64," + _b64("tel 030 1234567"),
        "data:text/plain;base64," + _b64("tel 030 1234567") + "\ntel 030 1234567\n",
        "030 1234567",
        _b64("tel 030 1234567"),
    ),
    (
        "data-url-json",
        _base64,
        "data:application/json;base64," + _b64('{"iban":"x"}'),
        "data:application/json;base64," + _b64('{"iban":"x"}') + '\n{"iban":"x"}\n',
        "iban",
        _b64('{"iban":"x"}'),
    ),
    (
        "invisible-zwsp",
        invisible.rewrite,
        "D\u200bE\u200b8\u200b9",
        "DE89",
        "DE89",
        "D\u200bE\u200b8\u200b9",
    ),
    (
        "invisible-mixed",
        invisible.rewrite,
        "D\u00adE\u2060\ufeff8\u202e9\ufe0f",
        "DE89",
        "DE89",
        "D\u00adE\u2060\ufeff8\u202e9",
    ),
    ("invisible-tag", invisible.rewrite, "a\U000e0041b", "ab", "ab", "a\U000e0041b"),
    ("spaces-nbsp", spaces.rewrite, "DE89\u00a03704\u202f0044", "DE89 3704 0044", "3704", "3704"),
    ("spaces-ideographic", spaces.rewrite, "a\u3000b\u2028c", "a b\nc", "b", "b"),
    ("nfkc-fullwidth", unicode_form.rewrite, "ＤＥ８９", "DE89", "DE89", "ＤＥ８９"),
    ("nfkc-math", unicode_form.rewrite, "DE𝟖𝟗𝟑𝟕", "DE8937", "8937", "𝟖𝟗𝟑𝟕"),
    ("nfkc-at", unicode_form.rewrite, "max＠firma.de", "max@firma.de", "@", "＠"),
    ("nfkc-circled", unicode_form.rewrite, "①②", "12", "12", "①②"),
    ("nfkc-combining", unicode_form.rewrite, "Jose\u0301", "José", "é", "e\u0301"),
    (
        "strike-through",
        unicode_form.rewrite,
        "D\u0336E\u03368\u0336",
        "DE8",
        "DE8",
        "D\u0336E\u03368\u0336",
    ),
    ("zalgo", unicode_form.rewrite, "E\u0300\u0316x", "Ex", "E", "E\u0300\u0316"),
    ("keycap", unicode_form.rewrite, "8\u20e39\u20e3", "89", "89", "8\u20e39"),
    (
        "regional-indicators",
        unicode_form.rewrite,
        "\U0001f1e9\U0001f1ea89",
        "DE89",
        "DE",
        "\U0001f1e9\U0001f1ea",
    ),
    (
        "negative-squared",
        unicode_form.rewrite,
        "\U0001f173\U0001f17489",
        "DE89",
        "DE",
        "\U0001f173\U0001f174",
    ),
    ("ideographic-stop", unicode_form.rewrite, "max@firma\u3002de", "max@firma.de", ".", "\u3002"),
    ("digits-arabic-indic", unicode_form.rewrite, "DE\u0668\u0669", "DE89", "89", "\u0668\u0669"),
    (
        "digits-devanagari",
        unicode_form.rewrite,
        "\u0968\u0966\u0968\u096a",
        "2024",
        "2024",
        "\u0968\u0966\u0968\u096a",
    ),
    ("digits-thai-alone", unicode_form.rewrite, "\u0e58", "8", "8", "\u0e58"),
    ("digits-after-mark", unicode_form.rewrite, "e\u0301\u0669", "é9", "9", "\u0669"),
    (
        "homoglyph-cyrillic",
        homoglyphs.rewrite,
        "D\u0415" + IBAN[2:],
        IBAN,
        IBAN,
        "D\u0415" + IBAN[2:],
    ),
    (
        "homoglyph-greek",
        homoglyphs.rewrite,
        "\u0391\u03924711",
        "AB4711",
        "AB4711",
        "\u0391\u03924711",
    ),
    (
        "homoglyph-small-capitals",
        homoglyphs.rewrite,
        "\u1d05\u1d07" + IBAN[2:],
        IBAN,
        IBAN,
        "\u1d05\u1d07" + IBAN[2:],
    ),
    (
        "homoglyph-armenian",
        homoglyphs.rewrite,
        "erika@beispiel-firm\u0585.de",
        "erika@beispiel-firmo.de",
        "firmo",
        "firm\u0585",
    ),
    (
        "homoglyph-cherokee",
        homoglyphs.rewrite,
        "\u13a0\u13ac89",
        "DE89",
        "DE89",
        "\u13a0\u13ac89",
    ),
    (
        "homoglyph-umlaut-name",
        homoglyphs.rewrite,
        "M\u00fcll\u0435r",
        "Müller",
        "Müller",
        "M\u00fcll\u0435r",
    ),
    (
        "email-quoted-local",
        email_obfuscation.rewrite,
        'an "max.muster"@firma.de',
        "an max.muster@firma.de",
        "max.muster@firma.de",
        'max.muster"@firma.de',  # the opening quote is gone before the finding starts
    ),
    (
        "email-brackets",
        email_obfuscation.rewrite,
        "max [at] firma [dot] de",
        "max@firma.de",
        "max@firma.de",
        "max [at] firma [dot] de",
    ),
    (
        "email-parens",
        email_obfuscation.rewrite,
        "max(at)firma(punkt)de",
        "max@firma.de",
        "max@firma.de",
        "max(at)firma(punkt)de",
    ),
    (
        "email-spelled",
        email_obfuscation.rewrite,
        "max dot muster at firma dot de",
        "max.muster@firma.de",
        "max.muster@firma.de",
        "max dot muster at firma dot de",
    ),
    (
        "email-spaced-at",
        email_obfuscation.rewrite,
        "an max @ firma.de",
        "an max@firma.de",
        "max@firma.de",
        "max @ firma.de",
    ),
    (
        "email-bracket-dot",
        email_obfuscation.rewrite,
        "max@firma[.]de",
        "max@firma.de",
        "max@firma.de",
        "max@firma[.]de",
    ),
    (
        "spaced-space",
        spaced.rewrite,
        "IBAN " + " ".join(IBAN),
        "IBAN " + IBAN,
        IBAN,
        " ".join(IBAN),
    ),
    (
        "spaced-email",
        spaced.rewrite,
        "m a x @ f i r m a . d e",
        "max@firma.de",
        "max@firma.de",
        "m a x @ f i r m a . d e",
    ),
    ("spaced-dots", spaced.rewrite, ".".join(IBAN), IBAN, IBAN, ".".join(IBAN)),
    (
        "spaced-dashes",
        spaced.rewrite,
        "-".join("4111111111111111"),
        "4111111111111111",
        "4111111111111111",
        "-".join("4111111111111111"),
    ),
    ("iban-lower", identifiers.rewrite, "iban " + IBAN.lower(), "iban " + IBAN, IBAN, IBAN.lower()),
    (
        "iban-dots",
        identifiers.rewrite,
        "DE89.3704.0044.0532.0130.00",
        IBAN,
        IBAN,
        "DE89.3704.0044.0532.0130.00",
    ),
    (
        "iban-pairs",
        identifiers.rewrite,
        "DE 89 37 04 00 44 05 32 01 30 00 ok",
        IBAN + " ok",
        IBAN,
        "DE 89 37 04 00 44 05 32 01 30 00",
    ),
    (
        "iban-lower-grouped",
        identifiers.rewrite,
        "de89 3704 0044 0532 0130 00",
        IBAN,
        IBAN,
        "de89 3704 0044 0532 0130 00",
    ),
    *(
        (
            f"iban-{label}",
            identifiers.rewrite,
            f"IBAN {written} ok",
            f"IBAN {IBAN} ok",
            IBAN,
            written,
        )
        for label, written in (
            ("slashes", "DE89/3704/0044/0532/0130/00"),
            ("colons", "DE89:3704:0044:0532:0130:00"),
            ("commas", "DE89,3704,0044,0532,0130,00"),
            ("tabs", "DE89\t3704\t0044\t0532\t0130\t00"),
            ("lines", "DE89\n3704\n0044\n0532\n0130\n00"),
            ("en-dashes", "DE89\u20133704\u20130044\u20130532\u20130130\u201300"),
            ("mixed", "DE89 / 3704.0044_0532 - 0130:00"),
            ("table-cells", "DE89 | 3704 | 0044 | 0532 | 0130 | 00"),
            ("plus", "DE89+3704+0044+0532+0130+00"),
        )
    ),
    *(
        (f"card-{label}", identifiers.rewrite, f"Karte {written}", f"Karte {CARD}", CARD, written)
        for label, written in (
            ("slashes", "4111/1111/1111/1111"),
            ("colons", "4111:1111:1111:1111"),
            ("spaced-slashes", "4111 / 1111 / 1111 / 1111"),
            ("en-dashes", "4111\u20131111\u20131111\u20131111"),
        )
    ),
    (
        "iban-markdown-code",
        identifiers.rewrite,
        "`DE89` `3704` `0044` `0532` `0130` `00`",
        f"`{IBAN}`",
        IBAN,
        "DE89` `3704` `0044` `0532` `0130` `00",
    ),
    (
        "iban-bold",
        identifiers.rewrite,
        "**DE89** **3704** **0044** **0532** **0130** **00**",
        f"**{IBAN}**",
        IBAN,
        "DE89** **3704** **0044** **0532** **0130** **00",
    ),
    (
        "tax-id-slashes",
        identifiers.rewrite,
        "86/095/742/719",
        "86095742719",
        "86095742719",
        "86/095/742/719",
    ),
    (
        "card-dots",
        identifiers.rewrite,
        "4111.1111.1111.1111",
        "4111111111111111",
        "4111111111111111",
        "4111.1111.1111.1111",
    ),
    (
        "tax-id-dots",
        identifiers.rewrite,
        "86.095.742.719",
        "86095742719",
        "86095742719",
        "86.095.742.719",
    ),
    (
        "vat-lower",
        identifiers.rewrite,
        "USt de136695976",
        "USt DE136695976",
        "DE136695976",
        "de136695976",
    ),
    (
        "id-card-lower",
        identifiers.rewrite,
        "Ausweis lz6311t47",
        "Ausweis LZ6311T47",
        "LZ6311T47",
        "lz6311t47",
    ),
]


@pytest.mark.parametrize(
    ("step", "text", "expected", "value", "original"),
    [pytest.param(*row[1:], id=row[0]) for row in REWRITES],
)
def test_rewrites_and_maps_back(
    step: Step, text: str, expected: str, value: str, original: str
) -> None:
    rewritten = step(text)
    assert rewritten is not None, "nothing rewritten"
    assert rewritten.text == expected
    start = rewritten.text.rindex(value)
    view = Normalized(text, rewritten.text, (rewritten.map,))
    o_start, o_end = view.to_original(start, start + len(value))
    assert text[o_start:o_end] == original


GERMAN = (
    "Sehr geehrte Frau Müller, anbei die Unterlagen zur Sitzung am Dienstag. "
    "Größere Änderungen: Straße, Maß, Fußgängerzone — „Zitat“ und ‚halbes‘; 5 € Rabatt."
)
# (id, step, text): the step must leave the text exactly as it is.
UNCHANGED: list[tuple[str, Step, str]] = [
    *(
        (f"german-{name}", step, GERMAN)
        for name, step in (
            ("json", json_escapes.rewrite),
            ("html", html_entities.rewrite),
            ("percent", percent.rewrite),
            ("base64", _base64),
            ("invisible", invisible.rewrite),
            ("spaces", spaces.rewrite),
            ("nfkc", unicode_form.rewrite),
            ("homoglyphs", homoglyphs.rewrite),
            ("email", email_obfuscation.rewrite),
            ("spaced", spaced.rewrite),
            ("identifiers", identifiers.rewrite),
        )
    ),
    ("windows-path", json_escapes.rewrite, r"C:\users\new\table.txt"),
    ("hex-escape-control", json_escapes.rewrite, r"a\x00b\x1fc\x7f"),
    ("escaped-hex-escape", json_escapes.rewrite, r"\\x40 ist kein Escape"),
    ("escaped-backslash", json_escapes.rewrite, r"\\u0044 ist kein Escape"),
    ("ampersand-prose", html_entities.rewrite, "AT&T und R&D, &copy ohne Semikolon"),
    ("percent-prose", percent.rewrite, "20 % Rabatt, 100%ig, 50%AB"),
    ("percent-control", percent.rewrite, "a%00b%07c"),
    ("long-words", _base64, "Donaudampfschifffahrtsgesellschaftskapitän Vertriebsrundenprotokoll"),
    ("sha256", _base64, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("camel-case", _base64, "getUserAccountSettingsFromDatabase"),
    (
        "png-data-url",
        _base64,
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAf"
        "FcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    ),
    ("umlauts-nfkc", unicode_form.rewrite, "Müller, Öztürk, Çelik, José, Ærø, naïve"),
    ("russian", homoglyphs.rewrite, "Привет, мир! Сегодня хорошая погода."),
    ("greek", homoglyphs.rewrite, "Καλημέρα κόσμε, αβγ"),
    ("armenian", homoglyphs.rewrite, "Բարեւ, ինչպես ես? Հայաստան"),
    ("cherokee", homoglyphs.rewrite, "ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ"),
    ("look-at", email_obfuscation.rewrite, "Please look at example.com and meet at noon."),
    ("plain-email", email_obfuscation.rewrite, "max@firma.de schreibt (siehe oben)."),
    ("quoted-word", email_obfuscation.rewrite, 'Er sagte "hallo" @max und ging.'),
    ("mention", email_obfuscation.rewrite, "Danke @max für die Hilfe"),
    ("abbreviations", spaced.rewrite, "z. B. am 3. 4. und d.h. i.d.R. so"),
    ("table-row", spaced.rewrite, "| a | b | c | d | e | f | g | h |"),
    ("punctuation-run", spaced.rewrite, ". . . . . . . . . ."),
    ("short-spaced", spaced.rewrite, "a b c d e f g"),
    ("date", identifiers.rewrite, "am 03.04.2025 um 14:30"),
    ("dates-slashes", identifiers.rewrite, "03/04/2025, 12/31/1999 und 2024/03/04"),
    ("times", identifiers.rewrite, "von 10:30:00 bis 14:30:15, 1:2:3:4"),
    ("number-list", identifiers.rewrite, "Werte 12, 345, 678, 901, 234"),
    ("years-list", identifiers.rewrite, "Jahre 2020, 2021, 2022, 2023 und 2024, 2025, 2026, 2027"),
    ("years-column", identifiers.rewrite, "2024\n2025\n2026\n2027\n2028"),
    ("years-tabs", identifiers.rewrite, "2024\t2025\t2026\t2027"),
    ("path", identifiers.rewrite, "/api/v1/users/4711/orders/2024"),
    ("invalid-iban-slashes", identifiers.rewrite, "DE89/3704/0044/0532/0130/01"),
    ("ipv4", identifiers.rewrite, "Server 192.168.100.200 und 10.0.0.1"),
    ("version", identifiers.rewrite, "Version 3.11.7.2 und 1.2.3.4.5"),
    ("amount", identifiers.rewrite, "Umsatz 12.345.678 EUR"),
    ("native-iban", identifiers.rewrite, "IBAN DE89 3704 0044 0532 0130 00"),
    ("invalid-iban-lower", identifiers.rewrite, "de89 3704 0044 0532 0130 01"),
    ("order-number", identifiers.rewrite, "Bestellung k12345678 vom Montag"),
]


@pytest.mark.parametrize(("step", "text"), [pytest.param(*row[1:], id=row[0]) for row in UNCHANGED])
def test_leaves_alone(step: Step, text: str) -> None:
    rewritten = step(text)
    assert rewritten is None or rewritten.text == text


ALL_STEPS = (
    json_escapes,
    html_entities,
    percent,
    invisible,
    spaces,
    unicode_form,
    homoglyphs,
    email_obfuscation,
    spaced,
    identifiers,
)


@pytest.mark.parametrize(
    "row", REWRITES + [(r[0], r[1], r[2], "", "", "") for r in UNCHANGED], ids=lambda row: row[0]
)
def test_gates_pass_where_steps_have_work(row: tuple[str, Step, str, str, str, str]) -> None:
    """wanted() is a necessary condition: a step with work always gets to do it."""
    _, step, text, *_ = row
    module = base64_blobs if step is _base64 else next(m for m in ALL_STEPS if m.rewrite is step)
    rewritten = step(text)
    if rewritten is not None and rewritten.text != text:
        assert module.wanted(Sketch(text))


def test_big_image_is_not_decoded() -> None:
    """A megabyte of image base64 costs one probe, not a decode, and adds nothing."""
    png = bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + bytes(range(256)) * 3000
    blob = base64.b64encode(png).decode()
    assert base64_blobs.rewrite(f"data:image/png;base64,{blob}", None) is None
    assert base64_blobs.rewrite(blob, None) is None


def test_nested_base64_is_decoded_to_a_bounded_depth() -> None:
    from checker.normalize.pipeline import MAX_DEPTH, normalize

    text = f"IBAN {IBAN}"
    for _ in range(MAX_DEPTH + 1):
        text = _b64(text)
    assert IBAN in normalize(text).text  # MAX_DEPTH + 1 levels: the outer and MAX_DEPTH more
    assert IBAN not in normalize(_b64(text)).text  # one more level stays encoded


@pytest.mark.parametrize(
    "compress",
    [lambda data: gzip.compress(data, mtime=0), zlib.compress],
    ids=["gzip", "zlib"],
)
def test_compressed_text_in_base64_is_inflated(compress: Callable[[bytes], bytes]) -> None:
    text = f"Konto {IBAN} und mehr Text" * 3
    blob = base64.b64encode(compress(text.encode())).decode()
    rewritten = base64_blobs.rewrite(f"Daten: {blob}", None)
    assert rewritten is not None and IBAN in rewritten.text


def test_a_compressed_bomb_in_base64_inflates_only_to_its_bound() -> None:
    """A megabyte of zeros is ~1 KB gzipped: what is read is at most INFLATE_FACTOR
    times the decoded bytes, so a small blob cannot become a large text to scan."""
    data = gzip.compress(b"a" * (1 << 24), mtime=0)
    blob = base64.b64encode(data).decode()
    rewritten = base64_blobs.rewrite(blob, None)
    assert rewritten is not None
    added = len(rewritten.text) - len(blob)
    assert added <= base64_blobs.INFLATE_FACTOR * len(data) + 2


def test_random_binary_in_base64_stays_unread() -> None:
    data = bytes((i * 7919) % 256 for i in range(3000))
    assert base64_blobs.rewrite(base64.b64encode(b"x\x9c" + data).decode(), None) is None


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16"])
def test_base64_of_utf16_text_is_read(codec: str) -> None:
    """PowerShell's -EncodedCommand and .NET's Encoding.Unicode: base64 of UTF-16LE."""
    blob = base64.b64encode(f"Konto {IBAN} bitte".encode(codec)).decode()
    rewritten = base64_blobs.rewrite(f"Daten {blob}", None)
    assert rewritten is not None and IBAN in rewritten.text
