"""PERSON rules from the name lists, where no cue word stands before a name.

Used by ``PersonCueRecognizer`` (its candidates compete with the cue rules' there):

- a known first name on its own ("Jonas hat gekündigt", "Tom said"), and a plain
  surname on its own ("Kowalczyk hat im Call gesagt"), unless an article, a saint or a
  web address makes it something else;
- lower-case first names in chat, only next to a verb or preposition that takes a
  person ("kannst du markus fragen", "mit timo telefoniert");
- a surname after an unknown first name ("Răzvan Popescu") and East Asian order
  ("Nguyen Van Minh");
- surname-first ("Meyer, Cemil", "MÜLLER-ŞAHİN, DERYA") and initials ("M. Schuster",
  "K.-H. Wolf", "Lukas W.");
- speaker labels ("Hoffmann: …", "[00:01:12] Sabine Voigt: …"); in a transcript (the
  same labels again and again) also homograph surnames ("Lang:", "Fuchs:");
- lists after "Anwesend:", "Teilnehmer:", "Attendees:" …;
- a surname mentioned alone after the full name ("Răzvan Popescu … Popescu prüft").

Homograph surnames (Koch, Winter, Fuchs …) never count alone outside these structures.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from checker.recognizers.name_lexicon import NameLexicon
from checker.recognizers.person_columns import column_names
from checker.recognizers.person_lowercase import lower_repeats, lowercase_candidates
from checker.recognizers.spans import SpanUnion
from checker.recognizers.table_columns import parse_tables

LONE_SCORE = 0.6  # a known name on its own
PAIR_SCORE = 0.7  # unknown word + known surname, surname-first with an unknown surname
STRONG_SCORE = 0.85  # speaker label, list label, initials + surname, surname-first

_UP = "A-ZÀ-ÖØ-Þ\u0100-\u024f"
_LO = "a-zß-öø-ÿ\u0100-\u024f"
_CAP = rf"(?:[{_UP}]['’])?[{_UP}][{_LO}]+(?:[{_UP}][{_LO}]+)?"
_CAP_WORD = rf"{_CAP}(?:-{_CAP})*"
_UPPER_WORD = rf"[{_UP}]{{2,}}(?:-[{_UP}]{{2,}})*"
_CAP_RE = re.compile(rf"(?<![\w-]){_CAP_WORD}(?![\w-])")
_LOWER_RE = re.compile(rf"(?<![\w-])[{_LO}]{{3,}}(?![\w-])")
_INITIALS = rf"[{_UP}]\.(?:-?[ \t]?[{_UP}]\.){{0,2}}"

# Before a lone name: an article or a contraction with one makes it a noun or a place
# ("der Winter", "im Otto-Versand"), a saint a place or holiday ("St. Martin"), and a
# path, handle or address character a technical string.
_NOUN_BEFORE_RE = re.compile(
    r"(?:(?<![\w-])(?:[Dd](?:er|ie|as|em|en|es)|[Ee]in(?:e[mnrs]?)?|[Ii]m|[Aa]m|[Vv]om|[Zz]um"
    r"|[Zz]ur|[Bb]eim|[Tt]he|[Ss]t\.|[Ss]ankt|[Hh]l\.|[Hh]eilige[rn]?|[Dd]ieser?|[Jj]ede[rs]?"
    r"|[Kk]ein(?:e[mnrs]?)?|[Uu]nser(?:e[mnrs]?)?|[Ii]n|[Nn]ach)[ \t]+"
    rf"|[/@._\\#=<]|[{_UP}]\.[ \t]?)\Z"
)
# An article and an inflected adjective make the next word a noun ("eine normale Dosis").
_ADJECTIVE_BEFORE_RE = re.compile(
    r"(?<![\w-])(?:[Dd](?:er|ie|as|em|en|es)|[Ee]in(?:e[mnrs]?)?|[Kk]ein(?:e[mnrs]?)?"
    r"|[Tt]he|[Aa]n?)[ \t]+[a-zäöüß]{3,}(?:e|en|er|es|em|al|ic|ous|ive)[ \t]+\Z"
)
# Letters German does not use, and surname endings of other languages: evidence that
# an unknown capitalised word before a surname is a first name, not a German noun.
_FOREIGN_LETTER_RE = re.compile(r"[^A-Za-zÄÖÜäöüß'’-]")
_FOREIGN_SURNAME_RE = re.compile(
    r"(?:escu|eanu|ić|ic|ović|ski|ska|cki|cka|wicz|czyk|oğlu|oglu|opoulos|poulou|idis|akis"
    r"|enko|chuk|ov|ova|ev|eva|yan|ian|shvili|dze|ez|es)$"
)
# Endings of German nouns: "Lüftungsgerät Vento" is a product, not a first name.
_NOUN_SUFFIX_RE = re.compile(
    r"(?:ung|heit|keit|schaft|tion|sion|ität|nis|tum|ment|ismus|ei|ik|enz|anz|ur|ag|ie"
    r"|gerät|geräte|werk|zeug|anlage|system|modul|serie|modell|typ|stoff|mittel|platz|er)$"
)
_TECH_AFTER_RE = re.compile(r"[@_/\\#\d]|\.[A-Za-z]|\.[ \t]?\d")
# A word whose last part names an institution, place or thing after a person
# ("Robert Koch-Institut", "Otto-Hahn-Gymnasium"): the name is part of it.
_INSTITUTION_RE = re.compile(
    r"-(?:Institut|Instituts|Stiftung|Klinik|Klinikum|Krankenhaus|Schule|Gymnasium|Realschule"
    r"|Grundschule|Universität|Hochschule|Akademie|Straße|Str\.?|Platz|Allee|Weg|Ring|Preis"
    r"|Medaille|Haus|Museum|Zentrum|Gesellschaft|Verlag|Werk|Werke|Halle|Brücke|Kaserne"
    r"|Apotheke|Kirche|Stadion|Arena|Park|Bad|Quelle|Bahnhof|Center|Centre|Foundation"
    r"|University|School|Hospital|Institute)\b"
)
# Chat verbs and prepositions that take a person: "frag markus", "mit timo", "an svenja".
_LOWER_BEFORE = frozenset(
    """
    an mit für von bei zu frag frage fragen sag sage sagen ruf rufe schreib schreibe
    schreiben ping pinge informier informiere erinner erinnere grüß grüße mal
    ask tell with to for from ping remind cc kollege kollegin kollegen colleague
    """.split()  # noqa: SIM905 - a word block is easier to read and extend
)
_LOWER_AFTER = frozenset(
    """
    hat hatte ist war wird kann könnte soll sollte muss möchte will wollte meint meinte
    sagt sagte fragt fragte schreibt schrieb kommt kam braucht brauchte findet fand
    weiß wusste macht machte kümmert übernimmt fragen anrufen informieren einladen
    erinnern bescheid ob dass has had is was will would said says asked asks wants
    needs thinks whether that
    """.split()  # noqa: SIM905
)
# Capitalised words before a colon that label a field, not a speaker.
_FIELD_LABELS = frozenset(
    """
    Betreff Datum Ort Zeit Uhrzeit Thema Agenda Status Ergebnis Ergebnisse Hinweis Hinweise
    Notiz Notizen Name Vorname Nachname Telefon Tel Fax Mobil Handy Email Mail Adresse
    Anschrift Straße Stadt Land Firma Abteilung Position Rolle Projekt Kunde Auftrag Summe
    Betrag Preis Menge Gesamt Total Subject Date From To Cc Bcc Re Fwd Aw Wg Note Notes
    Location Time Phone Mobile Company Title Role Team Owner Priority Severity Description
    Summary Action Actions Decision Question Answer Frage Antwort User Assistant System
    Error Warning Warn Info Debug Fatal Trace Critical Alert Notice Panic Support Vertrieb
    Einkauf Moderation Protokoll Protokollant
    Teilnehmer Anwesend Gast Kontakt Ticket Version Quelle Source Link Url Anhang Anlage
    Fazit Beschluss Aufgabe Aufgaben Todo Verantwortlich Termin Frist Deadline Beispiel
    Example Input Output Prompt Kontext Context Ziel Goal Hintergrund Background Problem
    Lösung Solution Ursache Cause Wichtig Achtung Tipp Update Edit Bearbeitet Gesendet
    Sent Von An Bitte Danke Hallo Hi Hello Hey Achtung Zusammenfassung Überschrift Text
    """.split()  # noqa: SIM905
)
_SPEAKER_RE = re.compile(
    rf"^[ \t]*(?:[-*•>][ \t]*)?(?:\[?\d{{1,2}}:\d{{2}}(?::\d{{2}})?\]?[ \t]*)?"
    rf"(?P<name>(?:{_INITIALS}[ \t]?)?{_CAP_WORD}(?:[ \t]+{_CAP_WORD}){{0,2}}"
    rf"|(?P<caps>{_UPPER_WORD}(?:[ \t]+{_UPPER_WORD})?))"
    rf"(?:[ \t]*\([^()\n]{{1,30}}\))?[ \t]*:[ \t]+\S",
    re.MULTILINE,
)
_LIST_LABEL_RE = re.compile(
    r"(?<![\w-])(?:Anwesend|Anwesende|Teilnehmer(?:innen)?|Teilnehmende|Entschuldigt|Abwesend"
    r"|Verteiler|Gäste|Attendees|Participants|Present|Absent|Apologies|Guests|Invitees"
    r"|Eingeladen)[ \t]*:[ \t]*",
    re.IGNORECASE,
)
_LIST_ITEM_RE = re.compile(
    rf"[ \t]*(?P<item>(?:{_INITIALS}[ \t]?)?{_CAP_WORD}(?:[ \t]+{_CAP_WORD}){{0,2}})"
    rf"(?:[ \t]*\([^()\n]{{1,40}}\))?[ \t]*(?P<sep>,|;|\bund\b|\band\b|&|\n|$)"
)
_SURNAME_FIRST_RE = re.compile(
    rf"(?<![\w-])(?P<last>{_CAP_WORD}|{_UPPER_WORD}),[ \t]+(?P<first>{_CAP_WORD}|{_UPPER_WORD})"
    rf"(?=(?P<tight>[ \t]*(?:\r?\n|$|\t|[ \t]{{2}}|[ \t]+[–—-][ \t]|[ \t]*[;|(]|[ \t]*,[ \t]*\d))"
    r"|[ \t]*[:,\"'’])",
    re.MULTILINE,
)
_INITIALS_RE = re.compile(rf"(?<![\w.-]){_INITIALS}[ \t]?(?P<last>{_CAP_WORD})(?![\w-])")
# "Lukas W." — not "Lukas W. Schmidt" (a middle initial: the first-name rule has it)
_FIRST_INITIAL_RE = re.compile(
    rf"(?<![\w-])(?P<first>{_CAP_WORD})[ \t]+[{_UP}]\.(?![\w-]|\.|[ \t]*[{_UP}])"
)
_EAST_ASIAN_MIDDLE = frozenset("Van Văn Thi Thị Thanh Minh Ngoc Ngọc Duc Đức Hong Hồng".split())  # noqa: SIM905
# Vietnamese names: one of the frequent family names, a middle name that marks the
# order ("Văn", "Thị"), then the given name: "Trần Văn Minh", "Vu Thi Mai". The
# family names are the most frequent ones (hand-written, with ASCII spellings).
_VN_FAMILY = (
    "Nguyễn|Nguyen|Trần|Tran|Lê|Le|Phạm|Pham|Hoàng|Hoang|Huỳnh|Huynh|Phan|Vũ|Vu|Võ|Vo"
    "|Đặng|Dang|Bùi|Bui|Đỗ|Do|Hồ|Ho|Ngô|Ngo|Dương|Duong|Lý|Ly|Đinh|Dinh|Trương|Truong"
)
_VN_MIDDLE = "Văn|Van|Thị|Thi|Đức|Duc|Hữu|Huu|Minh|Ngọc|Ngoc|Thanh|Quang|Xuân|Xuan|Kim"
_VN_NAME_RE = re.compile(
    rf"(?<![\w-])(?:{_VN_FAMILY})[ \t]+(?:{_VN_MIDDLE})[ \t]+[{_UP}][{_LO}]+(?![\w-])"
)


@dataclass(frozen=True)
class NameCandidate:
    start: int
    end: int
    score: float
    rule: str


def lexicon_candidates(
    text: str, lex: NameLexicon, stop: Collection[str], ambiguous: Collection[str]
) -> list[NameCandidate]:
    """Every candidate of the rules above; overlaps are resolved by the caller."""
    found = [
        *_lone_names(text, lex, stop, ambiguous),
        *_lower_names(text, lex, stop),
        *_speaker_labels(text, lex, stop),
        *_list_labels(text, lex, stop),
        *_surname_first(text, lex, stop),
        *_initials(text, lex, stop),
        *(NameCandidate(*c) for c in lowercase_candidates(text, lex, stop)),
        *(NameCandidate(*c) for c in column_names(text, lex, stop)),
        *_role_nouns(text, lex, stop),
        *(
            NameCandidate(m.start(), m.end(), STRONG_SCORE, "Vietnamese name")
            for m in _VN_NAME_RE.finditer(text)
        ),
    ]
    return found


def repeated_surnames(
    text: str, named: Collection[tuple[int, int]], lex: NameLexicon, stop: Collection[str]
) -> list[NameCandidate]:
    """A capitalised word that is the last word of a full name found elsewhere."""
    found = [NameCandidate(*c) for c in lower_repeats(text, named, lex, stop)]
    lasts = {text[s:e].split()[-1] for s, e in named if len(text[s:e].split()) > 1}
    lasts = {w for w in lasts if w not in stop and len(w) > 2}
    if not lasts:
        return found
    inside = SpanUnion(named)
    for m in _CAP_RE.finditer(text):
        if inside.holds(m.start()):
            continue  # the full name itself
        if (
            m.group() in lasts
            and not _NOUN_BEFORE_RE.search(text, max(0, m.start() - 12), m.start())
            and not _in_firm_name(text, m.start(), m.end(), lex, stop)
        ):
            found.append(NameCandidate(m.start(), m.end(), PAIR_SCORE, "surname of a named person"))
    return found


# "Bäckerei Haferkamp", "Elektro Stolz", "Hofmann Elektrotechnik", "Wiśniewska Design":
# a surname next to a capitalised word that is no name is a firm named after its owner.
_WORD_BEFORE_RE = re.compile(rf"(?<![\w-])(?P<w>{_CAP_WORD})[ \t]+\Z")
_WORD_AFTER_RE = re.compile(rf"[ \t]+(?P<w>{_CAP_WORD}|&|\+|GmbH|AG|KG|e\.K\.)(?![\w-])")


def _in_firm_name(
    text: str, start: int, end: int, lex: NameLexicon, stop: Collection[str], before: bool = True
) -> bool:
    """A capitalised non-name word (or "&", a legal form) after the name, or with
    ``before`` also one before it."""
    after = _WORD_AFTER_RE.match(text, end)
    word_before = _WORD_BEFORE_RE.search(text, max(0, start - 40), start) if before else None
    for m in (word_before, after):
        if m is not None:
            word = m.group("w")
            if word in ("&", "+") or (word not in stop and not lex.knows(word)):
                return True
    return False


# A number right after a lone name makes it a hall, gate or product model ("Halle 20",
# "Vento 350", "Jan 2024"); a column gap (two blanks, a tab) does not.
_NUMBER_AFTER_RE = re.compile(r" ?\d")


def _blocked(text: str, start: int, end: int) -> bool:
    """An article, saint, number or technical string around a lone name."""
    if _NOUN_BEFORE_RE.search(text, max(0, start - 12), start):
        return True
    if _ADJECTIVE_BEFORE_RE.search(text, max(0, start - 30), start):
        return True
    return bool(_TECH_AFTER_RE.match(text, end) or _NUMBER_AFTER_RE.match(text, end))


def _lone_names(
    text: str, lex: NameLexicon, stop: Collection[str], ambiguous: Collection[str]
) -> Iterator[NameCandidate]:
    words = list(_CAP_RE.finditer(text))
    tables = SpanUnion(
        [(t.header[0].start, t.rows[-1][-1].end) for t in parse_tables(text) if t.header and t.rows]
    )
    for i, m in enumerate(words):
        if tables.holds(m.start()):
            continue  # cells of a table: its header decides (table_columns)
        word = m.group()
        if word in stop or word in ambiguous or _INSTITUTION_RE.search(word):
            continue
        first = lex.is_first(word)
        surname = lex.is_surname(word)
        nxt = words[i + 1] if i + 1 < len(words) else None
        gap = text[m.end() : nxt.start()] if nxt else ""
        adjacent = nxt is not None and re.fullmatch(r"[ \t]+", gap) is not None
        if not (first or surname):
            # unknown word + known surname: "Răzvan Popescu", "Gráinne Brennan" — only
            # where the first word or the surname looks foreign to German, whose nouns
            # stand before surnames all the time ("Steuerberater Schmidt")
            if (
                adjacent
                and nxt is not None
                and lex.is_surname(nxt.group())
                and word not in lex.homographs
                and (_FOREIGN_LETTER_RE.search(word) or _FOREIGN_SURNAME_RE.search(nxt.group()))
                and not _blocked(text, m.start(), nxt.end())
                and not _INSTITUTION_RE.search(nxt.group())
                and not _NOUN_SUFFIX_RE.search(word)
            ):
                yield NameCandidate(m.start(), nxt.end(), PAIR_SCORE, "name + known surname")
            continue
        if (
            first
            and adjacent
            and nxt is not None
            and (
                lex.is_any_surname(nxt.group())
                # an unknown surname that looks foreign to German: "Kacper Zieliński",
                # "Marianna Kostova" (a German noun has neither the ending nor the letters)
                or (
                    (
                        _FOREIGN_SURNAME_RE.search(nxt.group())
                        or _FOREIGN_LETTER_RE.search(nxt.group())
                    )
                    and not _NOUN_SUFFIX_RE.search(nxt.group())
                )
            )
            and nxt.group() not in stop
            and not _INSTITUTION_RE.search(nxt.group())
            and not _blocked(text, m.start(), nxt.end())
        ):
            # any known first name + any surname: "Dilara Yıldız", "Eleni Georgiou"
            yield NameCandidate(m.start(), nxt.end(), PAIR_SCORE, "first name + surname")
        if _blocked(text, m.start(), m.end()):
            continue
        end = m.end()
        if surname and not first and adjacent:
            # East Asian order: "Nguyen Van Minh", "Chen Wei"
            j = i + 1
            while (
                j < len(words)
                and j - i <= 2
                and (words[j].group() in _EAST_ASIAN_MIDDLE or lex.is_first(words[j].group()))
                and re.fullmatch(r"[ \t]+", text[words[j - 1].end() : words[j].start()])
            ):
                end = words[j].end()
                j += 1
        if end == m.end() and word not in lex.curated and not _person_context(text, m.start(), end):
            continue  # the long generated lists hold rare words too ("Okta", "Reis")
        if end == m.end() and not first and _in_firm_name(text, m.start(), end, lex, stop):
            continue  # "Bäckerei Brandstätter", "Schulte Logistik"
        if end > m.end():
            yield NameCandidate(m.start(), end, PAIR_SCORE, "surname + given names")
        else:
            yield NameCandidate(m.start(), end, LONE_SCORE, "known name")


# A verb right after a name ("Kowalczyk hat", "Demir übernimmt", "Okafor to update"),
# or a word before it that addresses a person ("frag Dilara", "ask Siobhan").
_VERB_AFTER_RE = re.compile(
    r"(?:'s|’s)?[ \t]+(?:hat|hatte|ist|war|wird|wurde|kann|konnte|soll|sollte|muss|musste"
    r"|mag|darf|will|weiß|möchte|geht|[a-zäöüß]{2,}(?:t|te|tet|ert|elt)"
    r"|has|had|is|was|will|would|can|could|should|must|said|says|asked|asks|wants|needs"
    r"|thinks|called|wrote|sent|to[ \t]+[a-z]+|and[ \t]+I)(?![\w-])"
)
_ADDRESS_BEFORE_RE = re.compile(
    r"(?<![\w-])(?:[Ff]rag|[Ff]rage|[Ss]ag|[Ss]age|[Rr]uf|[Aa]n|[Aa]sk|[Tt]ell|[Rr]emind|[Cc]c"
    r"|[Pp]ing|[Aa]ttn\.?|z\.[ \t]?[Hh]d\.?)[ \t]+\Z"
)


def _person_context(text: str, start: int, end: int) -> bool:
    """A name that does something, or someone is asked to address it."""
    return bool(
        _VERB_AFTER_RE.match(text, end)
        or _ADDRESS_BEFORE_RE.search(text, max(0, start - 12), start)
    )


_LOWER_PAIR_RE = re.compile(rf"[ \t]*(?:,|und|and|oder|or|&)[ \t]+(?P<name>[{_LO}]{{3,}})(?![\w-])")


# A noun for a person's role right before a name: "Kollege Hoffmann", "Nachbar Koch",
# "Mieter Nowak", "our client Fischer" (homographs too: the noun says a person follows).
_ROLE_NOUN_RE = re.compile(
    r"(?<![\w-])(?:Kunden?|Kundin|Lieferanten?|(?:Ver)?[Mm]ieter(?:in)?|Nachbar(?:in|n)?"
    r"|Patient(?:in|en)?|Bewerber(?:in)?|Azubi|Chef(?:in)?|Kolleg(?:e|en|in)|Teamleiter(?:in)?"
    r"|Vorgesetzte[nr]?|Sachbearbeiter(?:in)?|Hausmeister(?:in)?|Fahrer(?:in)?|Monteur(?:in)?"
    r"|Techniker(?:in)?|Praktikant(?:in|en)?|Werkstudent(?:in|en)?|Schüler(?:in)?"
    r"|[Cc]ustomer|[Cc]lient|[Tt]enant|[Ll]andlord|[Nn]eighbou?r|[Pp]atient|[Aa]pplicant"
    r"|[Cc]olleague|[Cc]ontractor|[Dd]river|[Tt]echnician)"
    rf"[ \t]+(?P<name>{_CAP_WORD})(?P<more>(?:[ \t]+{_CAP_WORD}){{0,2}})(?![\w-])"
)


def _role_nouns(text: str, lex: NameLexicon, stop: Collection[str]) -> Iterator[NameCandidate]:
    for m in _ROLE_NOUN_RE.finditer(text):
        name = m.group("name")
        if name in stop or not (lex.is_any_surname(name) or lex.is_first(name)):
            continue
        # "Kunden Frank Heller": a first name takes the known names after it
        end = m.end("name")
        if lex.is_first(name):
            for word in _CAP_RE.finditer(text, m.end("name"), m.end("more")):
                if word.group() in stop or not lex.knows(word.group()):
                    break
                end = word.end()
        if _in_firm_name(text, m.start("name"), end, lex, stop, before=False):
            continue  # "Kunde Fischer Elektrotechnik"
        yield NameCandidate(m.start("name"), end, STRONG_SCORE, "role noun + name")


def _lower_names(text: str, lex: NameLexicon, stop: Collection[str]) -> Iterator[NameCandidate]:
    """Lower-case first names next to a verb or preposition that takes a person."""
    for m in _LOWER_RE.finditer(text):
        word = m.group()
        name = word[:1].upper() + word[1:]
        if name in stop or name not in lex.first:
            continue
        before = re.search(r"([^\W\d_]+)[ \t,]+\Z", text[max(0, m.start() - 20) : m.start()])
        after = re.match(r"[ \t,]+([^\W\d_]+)", text[m.end() : m.end() + 20])
        if (before and before.group(1).lower() in _LOWER_BEFORE) or (
            after and after.group(1).lower() in _LOWER_AFTER
        ):
            yield NameCandidate(m.start(), m.end(), LONE_SCORE, "lower-case first name")
            # "von kasia und mateusz", "ask tom and priya": the next one of a pair
            pair = _LOWER_PAIR_RE.match(text, m.end())
            if pair is not None:
                other = pair.group("name")
                if other[:1].upper() + other[1:] in lex.first and other.title() not in stop:
                    yield NameCandidate(
                        pair.start("name"), pair.end("name"), LONE_SCORE, "lower-case first name"
                    )


def _title(word: str) -> str:
    """ "ÇELIK" → "Çelik", "MÜLLER-ŞAHIN" → "Müller-Şahin"."""
    return "-".join(p[:1] + p[1:].lower() for p in word.split("-"))


def _name_words(phrase: str) -> list[str]:
    return [w for w in re.split(r"[ \t]+", phrase) if w]


def _speaker_labels(text: str, lex: NameLexicon, stop: Collection[str]) -> Iterator[NameCandidate]:
    labels = [m for m in _SPEAKER_RE.finditer(text)]
    if not labels:
        return
    names = [m.group("name") for m in labels]
    counts = Counter(names)
    transcript = len(labels) >= 3 and len(counts) >= 2 and max(counts.values()) >= 2
    for m in labels:
        words = _name_words(m.group("name"))
        if m.group("caps"):
            # "KOWALCZYK: Seit 2011 …" in an interview; "INFO:", "TODO:" are no names
            words = [_title(w) for w in words]
            if all(lex.is_surname(w) or w in lex.curated for w in words) and not any(
                w in stop or w in _FIELD_LABELS for w in words
            ):
                yield NameCandidate(m.start("name"), m.end("name"), STRONG_SCORE, "speaker label")
            continue
        if any(w in stop or w in _FIELD_LABELS for w in words):
            continue
        bare = [w for w in words if not re.fullmatch(_INITIALS, w)]
        known = any(lex.is_first(w) or lex.is_surname(w) for w in bare)
        homograph = any(w in lex.homographs for w in bare)
        if known or (transcript and counts[m.group("name")] >= 1 and (homograph or len(words) > 1)):
            yield NameCandidate(m.start("name"), m.end("name"), STRONG_SCORE, "speaker label")


def _list_labels(text: str, lex: NameLexicon, stop: Collection[str]) -> Iterator[NameCandidate]:
    for label in _LIST_LABEL_RE.finditer(text):
        pos = label.end()
        for _ in range(30):  # at most 30 names in one list
            item = _LIST_ITEM_RE.match(text, pos)
            if item is None:
                break
            words = _name_words(item.group("item"))
            bare = [w for w in words if not re.fullmatch(_INITIALS, w)]
            if not any(w in stop for w in words) and any(lex.knows(w) for w in bare):
                yield NameCandidate(item.start("item"), item.end("item"), STRONG_SCORE, "list")
            if item.group("sep") in ("\n", ""):
                break
            pos = item.end()


def _surname_first(text: str, lex: NameLexicon, stop: Collection[str]) -> Iterator[NameCandidate]:
    for m in _SURNAME_FIRST_RE.finditer(text):
        last, first = m.group("last"), m.group("first")
        if last in stop or first in stop:
            continue
        first_t = first if not first.isupper() else first.title()
        last_t = last if not last.isupper() else "-".join(p.title() for p in last.split("-"))
        if not lex.is_first(first_t):
            continue
        if m.group("tight") is None and not (
            lex.is_surname(last_t) or (last_t in lex.homographs and _at_line_start(text, m.start()))
        ):
            # "Meyer, Cemil: 07.07.", "- Lorenz, Maja, KVNR …", "\"Maier, Johann\"": only a
            # known surname ("Übrigens, Anna, …" is none; a homograph at a line start)
            continue
        score = STRONG_SCORE if lex.is_any_surname(last_t) else PAIR_SCORE
        yield NameCandidate(m.start(), m.end(), score, "surname, first name")


_LINE_PREFIX_RE = re.compile(r"(?:^|\n)[ \t]*(?:[-*•>][ \t]*)?(?:\d{1,2}[:.]\d{2}[ \t]+)?\Z")


def _at_line_start(text: str, start: int) -> bool:
    """Only a bullet or a time ("10:30 ") before ``start`` on its line."""
    return _LINE_PREFIX_RE.search(text, max(0, start - 12), start) is not None


def _initials(text: str, lex: NameLexicon, stop: Collection[str]) -> Iterator[NameCandidate]:
    for m in _INITIALS_RE.finditer(text):
        last = m.group("last")
        if last in stop or not lex.is_any_surname(last):
            continue
        if last in lex.homographs:
            # "K.-H. Wolf" only where a name stands alone: a label or a line of its own
            line_start = text.rfind("\n", 0, m.start()) + 1
            line_end = text.find("\n", m.end())
            rest = text[m.end() : line_end if line_end >= 0 else len(text)]
            if text[line_start : m.start()].strip(" \t-*•") or not re.match(r"[ \t]*(?::|$)", rest):
                continue
        yield NameCandidate(m.start(), m.end(), STRONG_SCORE, "initials + surname")
    for m in _FIRST_INITIAL_RE.finditer(text):
        if lex.is_first(m.group("first")) and m.group("first") not in stop:
            yield NameCandidate(m.start(), m.end(), STRONG_SCORE, "first name + initial")
