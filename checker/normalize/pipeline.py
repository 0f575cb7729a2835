"""The normalisation pipeline: which steps run, in which order, how deep.

1. Decoders: JSON ``\\u`` escapes and HTML character references, in place, up to
   DECODE_ROUNDS rounds while they still change something (``&amp;#64;`` unwraps);
   then percent-encoding (a decoded copy next to the token, itself decoding up to
   percent.LEVELS times), and once more the in-place decoders when that copy holds references.
2. Base64 blobs and ``data:`` URLs: a decoded copy after the run, itself normalised
   (MAX_DEPTH levels at most: base64 in base64 in base64 stops there).
3. Invisible characters removed, exotic spaces → space, NFKC, homoglyphs folded —
   in this order: NFKC composes what removing a joiner left adjacent, and folding
   sees fullwidth letters already as ASCII.
4. E-mail obfuscations, a separator between every character, identifiers in unusual
   spelling (checksum-gated) — on the text the earlier steps made readable.

Each step is linear in the length of its input (see the step modules), and runs only
when its `wanted` test on the text's Sketch (C-level byte operations, see sketch.py)
says it may have work: a clean German prompt costs a few microseconds. What is *not*
undone: deliberate ciphers — reversed text, hex, spelled-out digits, ROT13
(docs/security.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
from checker.normalize.offsets import Normalized, OffsetMap, Rewrite
from checker.normalize.sketch import Sketch

# Rounds while they still change something: each round only shortens the text, and
# an encoding nested deeper than this is a cipher someone built on purpose.
DECODE_ROUNDS = 6
MAX_DEPTH = 2  # levels of base64 decoded inside each other


@dataclass(frozen=True)
class Step:
    wanted: Callable[[Sketch], bool]  # may the step change this text? (cheap, necessary)
    rewrite: Callable[[str], Rewrite | None]


IN_PLACE = (
    Step(json_escapes.wanted, json_escapes.rewrite),
    Step(html_entities.wanted, html_entities.rewrite),
)
PERCENT = Step(percent.wanted, percent.rewrite)
READABLE = (
    Step(invisible.wanted, invisible.rewrite),
    Step(spaces.wanted, spaces.rewrite),
    Step(unicode_form.wanted, unicode_form.rewrite),
    Step(homoglyphs.wanted, homoglyphs.rewrite),
    Step(email_obfuscation.wanted, email_obfuscation.rewrite),
    Step(spaced.wanted, spaced.rewrite),
    Step(identifiers.wanted, identifiers.rewrite),
)


def normalize(text: str, depth: int = 0) -> Normalized:
    """`text` as the recognizers should see it, with the way back to its offsets."""
    sketch = Sketch(text)
    maps: list[OffsetMap] = []

    def apply(rewritten: Rewrite | None) -> bool:
        nonlocal sketch
        if rewritten is None:
            return False
        maps.append(rewritten.map)
        sketch = Sketch(rewritten.text)
        return True

    for _ in range(DECODE_ROUNDS):
        changed = False
        for step in IN_PLACE:
            if step.wanted(sketch):
                changed = apply(step.rewrite(sketch.text)) or changed
        if not changed:
            break
    if PERCENT.wanted(sketch) and apply(PERCENT.rewrite(sketch.text)):
        for step in IN_PLACE:
            if step.wanted(sketch):
                apply(step.rewrite(sketch.text))
    if base64_blobs.wanted(sketch):
        nested = (lambda decoded: normalize(decoded, depth + 1).text) if depth < MAX_DEPTH else None
        apply(base64_blobs.rewrite(sketch.text, nested))
    for step in READABLE:
        if step.wanted(sketch):
            apply(step.rewrite(sketch.text))
    return Normalized(text, sketch.text, tuple(maps))
