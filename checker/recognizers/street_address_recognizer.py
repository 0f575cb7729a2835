"""Street addresses, German/Austrian/Swiss and English (entity ``STREET_ADDRESS``)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from checker.recognizers.cue_context import WholeWordCues
from checker.recognizers.results import explained_result
from checker.recognizers.spans import keep_non_overlapping
from checker.recognizers.table_columns import parse_tables

_UP = "A-ZÄÖÜ"
_SP = r"[ \t\u00a0]"
# --- German street names ----------------------------------------------------------
# Endings that are frequent in other words too (-tal: Digital, -tor: Faktor, -gang:
# Vorgang, -hang: Anhang, -zeile: Kopfzeile, -feld: Textfeld) are left out.
_SUFFIXES = (
    r"straße|strasse|str\.?|weg|gasse|allee|platz|ring|damm|ufer|chaussee|steig|pfad|markt"
    r"|berg|hof|park|gürtel|kai|promenade|graben|wall|brücke|steg|stieg|twiete|kamp|anger"
    r"|weide|wiese|lände|gässchen|gässle|pforte|stiege|hain|redder|deich"
)
# A street word has at most this many characters before its suffix. Unbounded, the
# search re-read a long run of name characters from every capital in it ("A'A'A'…",
# "A.A.A.…"): quadratic. Real names ("Bürgermeister-Smidt-Straße") are far shorter.
_MAX_NAME = 60
# "Goethestraße", "Karl-Marx-Allee", "Hauptstr.": one word ending in a suffix, with at
# least one letter before the suffix (a lone "Weg" or "Platz" is no street name).
_COMPOUND = rf"[{_UP}][\w'’-]{{0,{_MAX_NAME}}}?(?i:{_SUFFIXES})"
# "Mariahilfer Straße", "Alter Markt", "Neue Gasse": an -er/-e word and a suffix word.
_SUFFIX_WORDS = (
    r"Straße|Strasse|Str\.?|Weg|Gasse|Allee|Platz|Ring|Damm|Ufer|Chaussee|Steig|Pfad|Markt"
    r"|Berg|Hof|Park|Gürtel|Kai|Promenade|Graben|Wall|Brücke|Steg|Stieg|Landstraße|Kamp"
    r"|Lände"
)
_MODIFIED = rf"[{_UP}][\w'’.-]{{0,{_MAX_NAME}}}e[r]?{_SP}+(?:{_SUFFIX_WORDS})"
# "Am Markt", "Unter den Linden", "An der Alster", "Zur Alten Mühle".
_PREFIX = (
    r"(?:[Aa]m|[Ii]m|[Zz]um|[Zz]ur|[Bb]eim|(?:[Aa]n|[Aa]uf|[Ii]n|[Uu]nter|[Hh]inter|[Vv]or"
    rf"|[Üü]ber|[Bb]ei|[Nn]eben|[Zz]wischen){_SP}+(?:der|den|dem|die|das))"
)
_PREFIXED = rf"{_PREFIX}{_SP}+[{_UP}][\w'’-]*(?:{_SP}+[{_UP}][\w'’-]*){{0,2}}"
# House number: 12, 12a, 12 a, 5-7, 5–7, 45/3/12; German numbers have at most three
# digits ("Strategie 2025", "Arbeitsmarkt 2024" are years).
_HOUSE = (
    r"(?:Nr\.?[ \t]*)?(?<![\d.,])[1-9]\d{0,2}(?:[ ]?[a-zA-Z](?![\w]))?"
    r"(?:[ ]?[-–/][ ]?[1-9]\d{0,2}[a-zA-Z]?){0,2}(?![\w]|[.,]\d)"
)
_POSTFACH = r"(?:Postfach|Postf\.|PF)[ \t]+(?<!\d)\d{1,3}(?:[ ]\d{2,3}){0,3}(?![\w]|[.,]\d)"

# --- PLZ + city -------------------------------------------------------------------
_CITY_WORD = rf"[{_UP}][\w'’-]+"
_CITY = (
    rf"(?:(?:Bad|St\.|Sankt|Hansestadt|Lutherstadt){_SP}+)?{_CITY_WORD}"
    rf"(?:{_SP}+(?:am|an{_SP}+der|im|in{_SP}+der|ob{_SP}+der|bei|vor{_SP}+der){_SP}+{_CITY_WORD}"
    rf"|{_SP}*\([{_UP}][\w'’ .-]+\)|{_SP}+[ia]\.{_SP}?[{_UP}][\w]*\.)?"
)


def _tail(n: int) -> str:
    """Optional postcode + city; DE 5 digits, AT/CH 4 digits, optional "D-", "A-",
    "CH-"; on the same line after a comma or blank, or on the next line."""
    return (
        rf"(?P<tail{n}>(?:,{_SP}*|{_SP}*\r?\n{_SP}*|{_SP}+)(?:(?:D|A|CH|DE|AT)-)?"
        rf"(?<!\d)(?:\d{{5}}|[1-9]\d{{3}})(?!\d){_SP}+{_CITY})?"
    )


# --- English ----------------------------------------------------------------------
_EN_SUFFIXES = (
    r"Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Boulevard|Blvd\.?|Way|Place"
    r"|Close|Court|Crescent|Terrace|Square|Gardens|Row|Parkway|Highway|Mews|Grove"
)
_EN_NAME = r"[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?"
_EN_STREET = (
    rf"(?<![\w.,/-])(?P<en_no>[1-9]\d{{0,4}}[A-Za-z]?(?:-[1-9]\d{{0,4}})?){_SP}+"
    rf"(?:{_EN_NAME}{_SP}+){{1,3}}(?:{_EN_SUFFIXES})(?![\w])"
    rf"(?:{_SP}+(?:NW|NE|SW|SE|N|S|E|W)\b)?"
)
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2}"
_US_ZIP = r"(?:[A-Z]{2}[ ]+)?\d{5}(?:-\d{4})?"
_EN_TAIL = (
    rf"(?P<en_tail>,{_SP}*(?:[A-Z][a-z]+{_SP}+){{0,2}}[A-Z][a-z]+,?{_SP}+"
    rf"(?:{_UK_POSTCODE}|{_US_ZIP})(?![\w]))?"
)

_STREET_RE = re.compile(
    rf"(?<![\w-])(?:(?P<prefix>{_PREFIX}){_SP}+)?(?P<street>{_COMPOUND}|{_MODIFIED})(?![\w])"
    rf"{_SP}*{_HOUSE}{_tail(1)}"
    rf"|(?<![\w-])(?P<prefixed>{_PREFIXED}){_SP}+{_HOUSE}{_tail(2)}"
    rf"|(?<![\w-])(?P<postfach>{_POSTFACH}){_tail(3)}"
    rf"|{_EN_STREET}{_EN_TAIL}"
)
_TAIL_GROUPS = ("tail1", "tail2", "tail3", "en_tail")

# Any one to three words + house number + PLZ + city, in any case: the postcode and
# city are the evidence, so street names without a suffix and lower-case chat count
# ("Lange Reihe 23, 20099 Hamburg", "an der alster 7, 20099 hamburg").
_WORDS_ANY_CASE = (
    rf"[^\W\d_][\w'’.-]{{0,{_MAX_NAME}}}(?:[ \t]+[^\W\d_][\w'’.-]{{0,{_MAX_NAME}}}){{0,3}}"
)
_PLZ_ADDRESS_RE = re.compile(
    rf"(?<![\w-])(?P<street>{_WORDS_ANY_CASE}){_SP}+(?<![\d.,])[1-9]\d{{0,2}}(?:[ ]?[a-zA-Z])?"
    rf"(?![\w])(?:,{_SP}*|{_SP}*\r?\n{_SP}*|{_SP}+)(?:(?:D|A|CH|DE|AT)-)?(?<!\d)\d{{5}}(?!\d)"
    rf"{_SP}+[^\W\d_][\w'’-]+(?:{_SP}+(?:am|an{_SP}+der|im|bei|ob{_SP}+der){_SP}+[^\W\d_][\w'’-]+)?"
)
# English block: [Flat 2, ]17 Harbour View[, Apt 3B] ⏎ [district ⏎] City[,] ST 12345 | UK postcode.
_EN_LINE = r"(?:,[ \t]*|[ \t]*\r?\n[ \t]*)"
_EN_BLOCK_RE = re.compile(
    r"(?<![\w.,/-])(?:(?:Flat|Apartment|Apt\.?|Unit|Suite)[ \t]+\w{1,5},?[ \t]+)?"
    r"[1-9]\d{0,4}[A-Za-z]?[ \t]+(?:[A-Z][a-z'’]+[ \t]+){0,3}[A-Z][a-z'’]+\.?"
    rf"(?:,?[ \t]*(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|Fl\.?|\#)[ \t]*[\w-]{{1,6}})?"
    rf"(?:{_EN_LINE}[A-Z][a-z'’]+(?:[ \t]+[A-Z][a-z'’]+){{0,2}}){{1,2}},?[ \t]+"
    rf"(?:{_UK_POSTCODE}|[A-Z]{{2}}[ \t]+\d{{5}}(?:-\d{{4}})?)(?![\w])"
)

# Words that end in a street suffix but name something else ("Parkplatz 3", "Bahnsteig
# 4", "Lösungsweg 2"), and nouns after "Am"/"Im" that start no street ("Im Jahr 202",
# "Im Markt 3 Produkte" has its own rule below).
_NOT_STREETS = frozenset(
    """
    parkplatz stellplatz arbeitsplatz sitzplatz spielplatz steckplatz speicherplatz
    standplatz liegeplatz campingplatz lagerplatz ausbildungsplatz studienplatz kitaplatz
    krippenplatz therapieplatz praktikumsplatz messeplatz tabellenplatz startplatz
    listenplatz sportplatz fußballplatz golfplatz tennisplatz bauplatz abstellplatz
    supermarkt arbeitsmarkt aktienmarkt binnenmarkt absatzmarkt baumarkt getränkemarkt
    flohmarkt finanzmarkt kapitalmarkt energiemarkt immobilienmarkt automarkt zielmarkt
    heimatmarkt weltmarkt wohnungsmarkt gebrauchtmarkt teilmarkt drogeriemarkt
    fuhrpark windpark solarpark freizeitpark serverpark maschinenpark fahrzeugpark
    gerätepark nationalpark technologiepark
    bahnhof hauptbahnhof friedhof innenhof hinterhof bauernhof gasthof schlachthof bauhof
    betriebshof wertstoffhof flughof
    bahnsteig anstieg aufstieg abstieg einstieg umstieg ausstieg
    lösungsweg ausweg umweg rückweg heimweg hinweg fluchtweg rettungsweg dienstweg
    rechtsweg lernweg zahlungsweg versandweg kommunikationsweg lieferweg bildungsweg
    lebensweg arbeitsweg schulweg mittelweg königsweg irrweg holzweg werdegang
    dateipfad lernpfad suchpfad pfad klassenpfad
    eisberg schlüsselring boxring ehering fingerring dichtungsring
    staudamm durchgang ausgang eingang rundgang zugang abgang übergang vorgang umgang
    lehrgang jahrgang arbeitsgang gang sackgasse string spring abweg
    firewall brandwall schutzwall
    flughafen datenfeld textfeld eingabefeld spielfeld umfeld vorfeld arbeitsfeld
    schlachtfeld fachgebiet
    """.split()  # noqa: SIM905 - a word block is easier to read and extend
)
_NOT_PREFIXED = frozenset(
    """
    jahr jahre jahren monat monaten quartal kapitel abschnitt absatz artikel paragraph
    paragraf anhang raum zimmer büro gebäude haus stock stockwerk geschoss etage level
    schritt punkt teil termin moment durchschnitt vergleich rahmen fall bereich wert
    preis sprint team projekt version release januar jänner februar märz april mai juni
    juli august september oktober november dezember montag dienstag mittwoch donnerstag
    freitag samstag sonntag
    """.split()  # noqa: SIM905 - a word block is easier to read and extend
)
# Words that end in -e/-er but are no street modifier ("Der Weg 3", "Jeder Platz").
_NOT_MODIFIERS = frozenset(
    """
    der die jeder jede dieser diese jener jene unser unsere euer eure ihre seine meine
    deine keine eine welche welcher andere anderer oder aber lieber liebe über unter
    hinter wieder immer erste erster zweite zweiter dritte dritter vierte letzte letzter
    nächste nächster beste bester gute guter freie freier volle voller halbe halber
    leere leerer ganze ganzer richtige richtiger falsche falscher eigene eigener
    """.split()  # noqa: SIM905 - a word block is easier to read and extend
)
# Words after a number that make it a count or a measure, not a house number.
_COUNT_AFTER_RE = re.compile(
    r"[ \t\u00a0]*(?:%|€|\$|x\b|(?:Uhr|Prozent|Euro|EUR|CHF|USD|Stück|Stk|Produkte?|Artikel"
    r"|Jahre?n?|Monate?n?|Wochen?|Tage?n?|Stunden?|Minuten?|Sekunden?|Mal|mal|km|m|cm|mm"
    r"|kg|g|t|l|GB|MB|TB|kB|Plätze|Fahrzeuge|Mitarbeiter(?:innen)?|Personen|Leute|Punkte"
    r"|Seiten|Zeilen|Einträge|Kunden|Anlagen|Windräder|Geräte|Server|percent|items"
    r"|people|years|days|minutes)(?![^\W\d_]))"
)
# Labels before a number that is no house number ("Gleis 3", "Kapitel 3").
_OTHER_LABEL_RE = re.compile(r"(?<![\w-])(?:Gleis|Bahnsteig|Kapitel|Raum|Zimmer)[ \t]*\Z")
_YEAR_WORD_BEFORE_RE = re.compile(r"(?<![\w-])(?:in|since|by|until|from|seit|im|bis)[ \t]+\Z")

# Address cue words, German and English, as whole words; compounds of "adresse" and
# "anschrift" (Lieferadresse, Postanschrift) count too.
_CUE_RE = re.compile(
    r"(?<![^\W\d_])(?:[^\W\d_]*(?:adresse|anschrift)[^\W\d_]*|wohnt|wohne|wohnen|wohnhaft"
    r"|wohnort|wohnsitz|meldeadresse|sitz|firmensitz|zustellung|zustellen|liefern\s+an"
    r"|umgezogen|umzug|zieht|ziehe|c/o|address(?:es)?|lives?\s+at|living\s+at|resides?"
    r"|residence|located\s+at|ship\s+to|deliver\s+to|mail\s+to|moved\s+to)(?![^\W\d_])",
    re.IGNORECASE,
)
_CUE_BEFORE = 60
_CUE_AFTER = 30  # "Unter den Linden 77 ist meine Adresse"


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    score: float
    rule: str


class StreetAddressRecognizer(WholeWordCues, LocalRecognizer):
    """Recognize street addresses in German, Austrian, Swiss and English notation.

    Rules and scores:

    - 0.85: any street form below followed by a postcode and city, on the same line
      after a comma or blank or on the next line: German 5-digit PLZ, Austrian and
      Swiss 4-digit PLZ, optional ``D-``/``A-``/``CH-``; English UK postcode or US
      ZIP (``10 Downing Street, London SW1A 2AA``). The span includes postcode and
      city.
    - 0.6: a street-suffix word + house number: ``Goethestraße 17``, ``Hauptstr. 12``,
      ``Bahnhofstrasse 10``, ``Lindenallee 5-7``, ``Karl-Marx-Allee 3a``,
      ``Mariahilfer Straße 45``, ``Alter Markt 1``; ``Postfach 10 20 30``; English
      number + name + suffix: ``221B Baker Street``, ``10 Downing Street``.
    - 0.4: a prefix form + house number: ``Am Markt 3``, ``Unter den Linden 77``,
      ``An der Alster 1``, which needs an address cue to pass the 0.5 threshold.

    An address cue (Adresse, Anschrift, Lieferadresse, wohnt, wohnhaft, Wohnort,
    address, lives at, resides ...; whole words, 60 characters before or 30 after)
    adds 0.35. Not addresses: a lone suffix word (``Weg 3 der Lösung``, ``Platz 4``),
    suffix letters inside a longer word (``Straßenbahn``), compounds that name other
    things (``Parkplatz 3``, ``Bahnsteig 4``, ``Supermarkt 2``, ``Lösungsweg 2``),
    German numbers with four digits (``Strategie 2025``), a number followed by a unit
    or a counted noun (``im Markt 3 Produkte``, ``Fuhrpark 12 Fahrzeuge``), and time
    nouns after a prefix (``Im Jahr 2024``). Fictitious example: ``Anschrift:
    Goethestraße 17, 80336 München``.
    """

    CUE_RE = _CUE_RE
    CUE_BEFORE = _CUE_BEFORE
    CUE_AFTER = _CUE_AFTER

    name: str  # set by EntityRecognizer; declared because mypy cannot infer it there
    FULL_SCORE = 0.85
    STREET_SCORE = 0.6
    PREFIX_SCORE = 0.4

    def __init__(
        self,
        supported_language: str = "de",
        supported_entity: str = "STREET_ADDRESS",
        name: str | None = None,
    ) -> None:
        super().__init__(
            supported_entities=[supported_entity],
            supported_language=supported_language,
            name=name or type(self).__name__,
        )

    def load(self) -> None:
        """Nothing to load: the rules are compiled regular expressions."""

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
    ) -> list[RecognizerResult]:
        """Find street + house number (+ postcode and city) and score by form."""
        return [self._to_result(c) for c in self._candidates(text)]

    def _candidates(self, text: str) -> list[_Candidate]:
        found = []
        for match in _STREET_RE.finditer(text):
            candidate = self._candidate(text, match)
            if candidate is not None:
                found.append(candidate)
        for match in _PLZ_ADDRESS_RE.finditer(text):
            start = _street_start(text, match)
            if start is not None and not _organisation_address(text, start):
                found.append(
                    _Candidate(start, match.end(), self.FULL_SCORE, "any street + postcode")
                )
        for match in _EN_BLOCK_RE.finditer(text):
            if not _organisation_address(text, match.start()):
                found.append(
                    _Candidate(match.start(), match.end(), self.FULL_SCORE, "English block")
                )
        return _longest(found)

    def _candidate(self, text: str, match: re.Match[str]) -> _Candidate | None:
        groups = match.groupdict()
        tail = next((match.span(g) for g in _TAIL_GROUPS if groups.get(g)), None)
        end = tail[0] if tail else match.end()
        if groups["street"]:
            words = groups["street"].lower().split()
            if len(words) > 1 and words[0] in _NOT_MODIFIERS:
                return None
            if words[-1] in _NOT_STREETS or _english_ing(words[-1]):
                return None
            score, rule = self.STREET_SCORE, "street suffix"
        elif groups["prefixed"]:
            if any(w.lower() in _NOT_PREFIXED for w in groups["prefixed"].split()):
                return None
            score, rule = self.PREFIX_SCORE, "prefix form"
        elif groups["postfach"]:
            score, rule = self.STREET_SCORE, "Postfach"
        else:
            number = groups["en_no"]
            before = text[max(0, match.start() - 10) : match.start()]
            if re.fullmatch(r"(?:19|20)\d\d", number) and _YEAR_WORD_BEFORE_RE.search(before):
                return None  # "in 2024 Oxford Street was ..."
            score, rule = self.STREET_SCORE, "English street"
        if _OTHER_LABEL_RE.search(text[max(0, match.start() - 12) : match.start()]):
            return None
        if _organisation_address(text, match.start()):
            return None
        if not tail and _COUNT_AFTER_RE.match(text, end):
            return None
        start = match.start()
        if groups["prefix"] and groups["prefix"][0].islower():
            start = match.start("street")  # "in der Goethestraße 17": a preposition
        if tail:
            return _Candidate(start, tail[1], self.FULL_SCORE, rule + " + postcode")
        return _Candidate(start, end, score, rule)

    def _to_result(self, candidate: _Candidate) -> RecognizerResult:
        return explained_result(
            self,
            candidate.start,
            candidate.end,
            candidate.score,
            f"STREET_ADDRESS by rule: {candidate.rule}",
        )


# A firm's legal form (or a department) right before the address: the letterhead,
# imprint or returns address of an organisation, which names no person
# (docs/evaluation.md, "Organisation contact data").
_FIRM_BEFORE_RE = re.compile(
    r"(?:(?<![\w-])(?:GmbH|AG|KG|OHG|GbR|UG|SE|mbH|e\.[ \t]?K\.|e\.[ \t]?V\.|Ltd\.?|Inc\.?|LLC|PLC"
    r"|plc|Limited|Dept\.?|Department|Abteilung|Impressum)(?:[ \t]*\([^()\n]{1,30}\))?"
    r"|Unit[ \t]+\d+)[ \t]*[,;:–-]?[ \t]*(?:\r?\n[ \t]*)?"
    # a site within the firm: "GmbH, Wareneingang Tor 3, Industriestraße 12"
    r"(?:(?:Wareneingang|Warenannahme|Werk|Halle|Tor|Gebäude|Haus|Lager|Geb\.|Building"
    r"|Gate|Dock|Loading[ \t]+dock)[^,\n]{0,25},[ \t]*)?\Z"
)
# Tables of an organisation's sites ("Standort;Straße;PLZ;Ort").
_SITE_HEADERS = frozenset(
    "standort standorte filiale niederlassung werk lager site sites branch location".split()  # noqa: SIM905
)


# Words that end the street part from the left: the street starts after them.
_LEAD_WORDS = frozenset(
    """
    in im an am auf bei nach von vom zur zum der die das den dem und oder ist sind wohnt
    wohne wohnen lebt lebe lautet neue neuer alte alter adresse anschrift lieferadresse
    rechnungsadresse meldeadresse postanschrift straße str liefer an ändern auf bitte
    to at in on the is lives live moved new address
    """.split()  # noqa: SIM905 - a word block is easier to read and extend
)


def _street_start(text: str, match: re.Match[str]) -> int | None:
    """Where the street name starts in an any-case match: after lead words such as
    "wohnt in der" or "Lieferadresse ändern auf:"; None when nothing is left or the
    words are a count ("Bestellung 23, 20099 Stück" has no city after all)."""
    words = list(re.finditer(r"[^\s,:;()]+", match.group("street")))
    keep = [w for w in words]
    while keep and keep[0].group().lower().rstrip(":.") in _LEAD_WORDS:
        # "an der alster": a prefix form keeps its article
        if (
            keep[0].group().lower() in ("an", "am", "im", "auf", "in")
            and len(keep) > 1
            and keep[1].group().lower() in ("der", "den", "dem", "die", "das")
        ):
            break
        keep = keep[1:]
    if not keep:
        return None
    if any(w.group()[:1].isdigit() for w in keep):
        return None
    return match.start("street") + keep[0].start()


def _longest(found: list[_Candidate]) -> list[_Candidate]:
    """Overlapping candidates: the longer (then stronger) one."""
    kept = keep_non_overlapping(
        found, lambda c: (c.start, c.end), lambda c: (c.start - c.end, -c.score, c.start)
    )
    return sorted(kept, key=lambda c: c.start)


def _organisation_address(text: str, start: int) -> bool:
    if _FIRM_BEFORE_RE.search(text, max(0, start - 80), start):
        return True
    # Tables are disjoint and in text order: the one that ends at or after `start`
    # first is the only one that can hold it (bisection, not a pass per candidate).
    tables = [t for t in parse_tables(text) if t.rows]
    i = bisect.bisect_left([t.rows[-1][-1].end for t in tables], start)
    if i < len(tables) and tables[i].header[0].start <= start:
        return bool(_SITE_HEADERS & set(tables[i].header_keys()))
    return False


def _english_ing(word: str) -> bool:
    """ "Monitoring", "Sharing", "Hearing": English -ing words end in "ring" too."""
    return word.endswith("ring") and len(word) > 4 and word[-5] in "aeiouy"
