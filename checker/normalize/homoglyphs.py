"""Look-alikes inside Latin/digit tokens → the Latin letter: Cyrillic, Greek, Armenian,
Cherokee and Latin small capitals.

``DЕ89 3704…`` with a Cyrillic Е (U+0415) reads as an IBAN but is none to a regex.
A token (a run of letters and digits) is folded when it contains an ASCII letter or
digit and every Cyrillic or Greek character in it is in the table below: Russian or
Greek words (no ASCII in them) stay as they are, and so does a token that mixes in a
letter without a Latin twin. Latin letters beyond ASCII stay (``Müllеr`` with a
Cyrillic е becomes ``Müller``).

Armenian (``օ`` for o, ``ս`` for u), Cherokee (``Ꭺ`` for A, ``Ꭼ`` for E) and the
Latin small capitals (``ᴅᴇ89…``, which NFKC leaves alone) are folded the same way;
Cherokee and Armenian words without ASCII stay as they are.

The table is the Cyrillic/Greek/Armenian/Cherokee/small-capital → ASCII subset of
Unicode's confusables data (UTS #39, confusables.txt: the characters whose skeleton
is one ASCII letter or digit), written out here because only ~130 of its ~6,300 rows
are needed and no
dependency so far ships the file. Where confusables.txt maps a capital to a lower
case skeleton (Cyrillic І and Greek Ι → "l"), the capital Latin letter is used:
the point is the letter a reader sees, not the skeleton.
"""

from __future__ import annotations

import re

from checker.normalize.offsets import Rewrite, Rewriter
from checker.normalize.sketch import Sketch

# Pairs of a look-alike letter and the Latin letter or digit it imitates.
_GREEK = "ΑAΒBΕEΖZΗHΙIΚKΜMΝNΟOΡPΤTΥYΧXϜFϹCϺMͿJϒYαaγyιiνvοoρpσoυuϱpϲcϳj"
_CYRILLIC = (
    "АAВBЕEЗ3КKМMНHОOРPСCТTУYХXЅSІIЈJѴVҮYӀIӠ3ԌGԜWꙄ2аaб6гrеeоoрpсcуyхxѕsіiјjѡwѵvүyһhҽeӏlԁdԛqԝwЬbꙇi"
)
_ARMENIAN = "ՕOօoՍUսuհhոnցgզqԼL"
_CHEROKEE = "ᎪAᏴBᏟCᎠDᎬEᏀGᎻHᎫJᏦKᏞLᎷMᏢPᎡRᏚSᎢTᏙVᎳWᏃZ"
_SMALL_CAPITALS = "ᴀAʙBᴄCᴅDᴇEꜰFɢGʜHɪIᴊJᴋKʟLᴍMɴNᴏOᴘPʀRꜱSᴛTᴜUᴠVᴡWʏYᴢZ"
LOOKALIKES = {
    pair[0]: pair[1]
    for pairs in (_GREEK, _CYRILLIC, _ARMENIAN, _CHEROKEE, _SMALL_CAPITALS)
    for pair in (pairs[k : k + 2] for k in range(0, len(pairs), 2))
}
_FOLD = str.maketrans(LOOKALIKES)
_ANY = re.compile("[" + "".join(LOOKALIKES) + "]")
_TOKEN = re.compile(r"[^\W_]+")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
# Scripts whose letters, left over after folding, mean the token is no disguised Latin.
_FOREIGN = re.compile(
    "[\u0370-\u03ff\u0400-\u052f\u0530-\u058f\u13a0-\u13ff\u1c80-\u1c8f\u1f00-\u1fff"
    "\ua640-\ua69f\uab70-\uabbf]"
)


def wanted(sketch: Sketch) -> bool:
    return _ANY.search(sketch.non_ascii) is not None


def rewrite(text: str) -> Rewrite | None:
    if text.isascii():
        return None
    first = _ANY.search(text)
    if first is None:
        return None
    out = Rewriter(text)
    for m in _TOKEN.finditer(text, _token_start(text, first.start())):
        token = m.group()
        if token.isascii() or not _ASCII_ALNUM.search(token):
            continue
        folded = token.translate(_FOLD)
        if folded != token and not _FOREIGN.search(folded):
            out.replace(m.start(), m.end(), folded, positional=True)
    return out.result()


def _token_start(text: str, position: int) -> int:
    while position > 0 and (text[position - 1].isalnum() and text[position - 1] != "_"):
        position -= 1
    return position
