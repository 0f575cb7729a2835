"""Is a health term about a person? Context rules for ``HealthDataRecognizer``.

Art. 9 data is health information *about an identifiable person*. The same words fill
studies, laws, statistics, prevention programmes, product texts and coding questions
("Studien zu Diabetes Typ 2", "Mutterschutzgesetz", "Burnout-Prävention", "Welcher
ICD-10-Code passt zu Bronchitis?"). A finding is dropped when

- its word is a compound that names a law, programme or statistic
  ("Mutterschutzgesetz", "Burnout-Prävention", "Diabetesrisiko"), or
- its paragraph (at most ``REACH`` characters either side) speaks about health in
  general — a study, law, statistic, campaign, product, course or coding question —
  and names no one: no salutation with a name, no possessive with a person
  ("mein Vater", "seine Kollegin"), no first-person health statement ("ich habe").

Findings with such a person anchor, and findings in texts without any general marker,
are kept: a note like "Tinnitus schlimmer geworden, AU bis Freitag" is about someone.
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from checker.recognizers.name_lexicon import name_lexicon

REACH = 300  # characters either side of a finding that belong to its context

# Compound endings that make a health word the name of a law, programme or figure.
_GENERAL_COMPOUND_RE = re.compile(
    r"(?i:[-]?(?:gesetz|gesetzes|gesetzlich\w*|verordnung|richtlinie|prävention|präventions\w*"
    r"|programm\w*|studie|studien|forschung|statistik\w*|kampagne|aktion|aktionstag"
    r"|quote|rate|risiko|risiken|vorsorge|früherkennung|screening|prophylaxe|beratung"
    # not "Sehhilfe", "Gehhilfe" (aids), not "Migräneanfälle"
    r"|beratungsstelle|selbsthilfe\w*|(?<!seh)(?<!geh)(?<!hör)hilfe|versicherung|kasse|kassen"
    r"|zahlen|(?<!an)fälle|statistics"
    r"|prevention|awareness|campaign|rates|research|study|studies|law"
    r"|messgerät\w*|gerät\w*|schnelltest\w*|impfstoff\w*"
    # documents: "Arbeitsunfähigkeitsbescheinigung" says no more than "AU-Bescheinigung"
    r"|bescheinigung\w*|formular\w*|vordruck\w*))$"
)
# Words of texts about health in general. (Not "kodiert": "Kodiert als M54.5" is a case.)
_GENERAL_RE = re.compile(
    r"(?i)(?<![^\W\d_])(?:studie\w*|study|studies|statisti\w*|prävention\w*|präventiv\w*"
    r"|prevention|vorsorge\w*|kampagne\w*|campaign\w*|aktionstag\w*|gesetz\w*|§|paragra\w*"
    r"|verordnung\w*|betriebsvereinbarung\w*|richtlinie\w*|leitlinie\w*|guideline\w*|prozent"
    r"|percent|quote|anteil|bevölkerung|population|menschen|people|deutschland|weltweit"
    r"|worldwide|jährlich|annually|icd-?10-?(?:code|gm)\w*|icd[- ]codes?|coding"
    r"|produkt\w*|product\w*|messgerät\w*|device\w*|broschüre\w*"
    r"|flyer|aushang|aushänge|poster|intranet|newsletter|artikel|article|blog\w*|vortrag\w*"
    r"|schulung\w*|training\w*|workshop\w*|seminar\w*|unterricht\w*|class|lesson\w*|biolog\w*"
    r"|erkläre|erklär\w*|explain\w*|definition\w*|unterschied\w*|difference|ursachen|causes"
    r"|risikofaktor\w*|risk\s+factors?|forschung\w*|research|beschäftigten|mitarbeitende[n]?"
    r"|arbeitnehmer(?:innen)?|employees|fälle|cases|patienten|patients|betroffene[n]?"
    r"|impfung\w*|vaccination\w*|impfaktion\w*|aufklärung\w*|gesundheitstag\w*"
    r"|gesundheitsmanagement\w*|wikipedia|lexikon|glossar\w*|quiz|faq|icd-?10-?gm"
    r"|icd-?(?:10-?)?(?:katalog|schlüssel|systematik)\w*"
    r"|durchschnitt\w*|average|umfrage\w*|survey\w*|befragung\w*|anzahl|zahlen|number[ \t]+of"
    r"|arbeitsschutz\w*|gefährdungsbeurteilung\w*|unterweisung\w*|ersthelfer\w*|erste[ \t]+hilfe"
    r"|first[ \t]+aid|gesundheitsschutz\w*|fehlzeiten\w*|krankenquote\w*|meldepflichtig\w*"
    r"|berufsgenossenschaft\w*|symptome|symptoms|häufigste\w*|typische[nr]?|typical|common"
    r"|ratgeber\w*|merkblatt\w*|infoblatt\w*|leitfaden\w*|checkliste\w*|tipps|tips"
    r"|allgemein\w*|in[ \t]+general|generally"
    # comparisons, evidence and articles: "im Vergleich zu", "RCTs", "Fachartikel"
    r"|vergleich\w*|compar\w*|evidence|evidenz\w*|rcts?|meta-?analy\w*|\w*artikel"
    r"|fachtext\w*|erwachsene[n]?|adults?|d(?:ie|en)[ \t]+meisten|most[ \t]+people"
    r"|warnzeichen|warning[ \t]+signs?|red[ \t]+flags?"
    r"|in[ \t]+der[ \t]+regel|usually|grundsätzlich|generell|zum[ \t]+beispiel"
    # the generic "man": "wann sollte man zum Arzt", "kann man mit Migräne arbeiten"
    r"|(?:sollte|muss|kann|darf|soll)[ \t]+man|man[ \t]+(?:sollte|muss|kann|darf|soll))"
    r"(?![^\W\d_])"
)
# A coding question: "Wie kodiere ich …?" (the question mark is needed: "kodiert als
# M54.5" in a case file is about someone).
_CODING_QUESTION_RE = re.compile(
    r"(?i)(?<![^\W\d_])(?:kodier|codier|verschlüssel|code)\w*[^?]{0,200}\?"
)
# Someone in particular: a salutation with a name, a possessive with a person, a
# first-person or third-person health statement.
_ANCHOR_RE = re.compile(
    r"(?<![^\W\d_])(?:(?:Herrn?|Frau|Hr\.|Fr\.|Mr\.?|Mrs\.?|Ms\.?|Pat\.|Patient(?:in)?|Bewohner(?:in)?"
    r"|Versicherte[r]?|Mitarbeiter(?:in)?|Name|Kunde|Kundin|Klient(?:in)?|Bewerber(?:in)?"
    r"|Employee|Patient|Resident)[ \t]*:?[ \t]+[A-ZÄÖÜ][\w'’-]*"
    # an identifier of a person: birth date, insurance or personnel number, case file
    r"|(?i:geb\.|geboren|geburtsdatum|date[ \t]+of[ \t]+birth|dob|kvnr|versichertennummer"
    r"|versicherten-nr|personalnummer|personal-nr|patientennummer|patienten-id|fallnummer"
    r"|aktenzeichen|mitarbeiternummer|employee[ \t]+id)"
    r"|(?i:mein|meine|meinem|meinen|meiner|sein|seine|seinem|seinen|seiner|ihr|ihre|ihrem|ihren"
    r"|ihrer|unser|unsere|unserem|unseren|unserer|my|his|her|our)[ \t]+(?i:kolleg\w*|mitarbeiter\w*"
    r"|vater|mutter|sohn|tochter|mann|frau|kind|kinder|chef\w*|azubi|partner\w*|freund\w*"
    r"|bruder|schwester|oma|opa|nachbar\w*|kunde|kundin|patient\w*|father|mother|son|daughter"
    r"|husband|wife|child|colleague|boss|partner|friend|brother|sister)"
    r"|(?:er|sie)[ \t]+(?:hat|hatte|ist|war|leidet|nimmt|bekommt|wurde|muss)"
    r"|(?i:he|she)[ \t]+(?:has|had|is|was|suffers|takes|got))(?![\w-])"
)
# "ich habe Migräne", "I'm off sick": first person counts only right before the term
# ("Ich habe eine Frage zu Diabetes" is a question about diabetes).
_FIRST_PERSON_RE = re.compile(
    r"(?:(?i:ich[ \t]+(?:habe|hab|hatte|bin|war|leide|nehme|muss|kriege|bekomme)|mir[ \t]+geht"
    r"|bei[ \t]+mir|mich)|I[ \t]+(?:have|had|am|was|suffer\w*|take|got)|I['’]m|I['’]ve)"
    r"(?:[ \t]+[\w-]+){0,4}[ \t,]*\Z"
)
FIRST_PERSON_REACH = 40
_PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")


def _scope(text: str, start: int, end: int) -> tuple[int, int]:
    lo, hi = max(0, start - REACH), min(len(text), end + REACH)
    before = [m.end() for m in _PARAGRAPH_RE.finditer(text, lo, start)]
    after = _PARAGRAPH_RE.search(text, end, hi)
    return (before[-1] if before else lo), (after.start() if after else hi)


def about_no_one(text: str, start: int, end: int) -> bool:
    """True when the health term at ``text[start:end]`` speaks about no one."""
    word_end = end
    limit = min(len(text), end + 40)  # the rest of a compound word, bounded
    while word_end < limit and (text[word_end].isalpha() or text[word_end] == "-"):
        word_end += 1
    # "Mutterschutz*" matched "Mutterschutzgesetz": the ending must follow a stem
    compound = _GENERAL_COMPOUND_RE.search(text[start:word_end])
    if compound is not None and compound.start() > 2:
        return True
    lo, hi = _scope(text, start, end)
    general = _GENERAL_RE.search(text, lo, hi) or _CODING_QUESTION_RE.search(text, lo, hi)
    if general is None:
        return False
    return not _anchored(text, start, lo, hi)


def _anchored(text: str, start: int, lo: int, hi: int) -> bool:
    if _ANCHOR_RE.search(text, lo, hi) is not None or _full_name(text, lo, hi):
        return True
    line = text.rfind("\n", 0, start) + 1
    near = max(lo, line, start - FIRST_PERSON_REACH)
    return (
        _FIRST_PERSON_RE.search(text, near, start) is not None
        or _POSSESSIVE_BEFORE_RE.search(text, near, start) is not None
    )


# A possessive right before the term: "nach meiner Knie-OP", "after my ACL reconstruction",
# "seine Physiotherapie" — someone's own treatment, not the treatment in general.
_POSSESSIVE_BEFORE_RE = re.compile(
    r"(?<![\w-])(?i:mein|meine|meinem|meinen|meiner|sein|seine|seinem|seinen|seiner"
    r"|ihre|ihrem|ihren|ihrer|my|his|her|their)[ \t]+(?:[\w-]+[ \t]+)?\Z"
)


# Words that qualify a diagnosis and belong to it: "arterielle Hypertonie", "chronische
# Bronchitis", "Dekubitus Grad 2", "Adipositas Grad I", "Diabetes mellitus Typ 2".
_QUALIFIER_BEFORE_RE = re.compile(
    r"(?i:(?<![\w-])(?:arteriell|chronisch|akut|essentiell|essenziell|insulinpflichtig"
    r"|rezidivierend|mittelgradig|schwer|leicht|beidseitig|primär|sekundär|allergisch"
    r"|paroxysmal|permanent|persistierend|dekompensiert|kompensiert|chronic|acute|severe"
    r"|mild|moderate|recurrent)(?:e|er|es|en|em)?)[ \t]+\Z"
)
_QUALIFIER_AFTER_RE = re.compile(
    r"[ \t]+(?:Grad|Typ|Stadium|Stufe|NYHA|grade|type|stage)[ \t]+(?:[1-4IV]{1,4}[a-c]?)(?![\w])"
)


def extend_qualifiers(text: str, result: RecognizerResult) -> RecognizerResult:
    """Widen a finding over the qualifiers of its diagnosis."""
    before = _QUALIFIER_BEFORE_RE.search(text, max(0, result.start - 30), result.start)
    if before is not None:
        result.start = before.start()
    after = _QUALIFIER_AFTER_RE.match(text, result.end)
    if after is not None:
        result.end = after.end()
    return result


# Labels of lists whose every item is health data: "Allergien: Penicillin, Nüsse",
# "Dauermedikation: Ramipril 5 mg, ASS 100 mg", "Diagnosen: …".
_LIST_LABEL_RE = re.compile(
    r"(?i:(?<![\w-])(?:allergien|allergie|allergies|allergy|unverträglichkeiten|intoleranzen"
    r"|medikation|medikamente|dauermedikation|entlassungsmedikation|aufnahmemedikation"
    r"|bedarfsmedikation|medications?|current[ \t]+medications?|diagnosen|nebendiagnosen"
    r"|vorerkrankungen|diagnoses|past[ \t]+medical[ \t]+history|hilfsmittel|aids)"
    r"[ \t]*:[ \t]*)"
)
_ITEM_RE = re.compile(
    r"[ \t]*(?:[-*•][ \t]*)?(?P<item>[^\W\d_][\w'’/-]*(?:[ \t]+[^\W\d_][\w'’/-]*){0,3})"
    r"[^,;\n]{0,40}?(?P<sep>,|;|\n[ \t]*[-*•]|\n|$|[ \t]+(?:und|and|sowie)[ \t]+)"
)
_NO_ITEM_RE = re.compile(r"(?i)^(?:keine?|none|nkda|n/?a|unbekannt|unknown|siehe|see|bitte)\b")
MAX_ITEMS = 20


def list_items(text: str) -> list[tuple[int, int]]:
    """Spans of the items of health lists (the item's words, without dose or schedule)."""
    spans: list[tuple[int, int]] = []
    for label in _LIST_LABEL_RE.finditer(text):
        pos = label.end()
        for _ in range(MAX_ITEMS):
            item = _ITEM_RE.match(text, pos)
            if item is None or _NO_ITEM_RE.match(item.group("item")):
                break
            spans.append((item.start("item"), item.end("item")))
            sep = item.group("sep")
            if sep == "" or (sep.startswith("\n") and not sep.strip(" \t\n")):
                break  # a line break without a bullet ends the list
            pos = item.end()
    return spans


def has_anchor(text: str, start: int, end: int) -> bool:
    """Someone in particular is named near ``text[start:end]`` (same scope as above)."""
    lo, hi = _scope(text, start, end)
    return _anchored(text, start, lo, hi)


_PAIR_RE = re.compile(
    r"(?<![\w-])([A-ZÀ-Þ][a-zß-ÿ]+)[ \t]+([A-ZÀ-Þ][\w'’]+(?:-[A-ZÀ-Þ][a-zß-ÿ]+)?)(?![\w-])"
)


_SUBJECT_RE = re.compile(
    r"(?<![\w-])([A-ZÀ-Þ][a-zß-ÿ]+)[ \t]+(?:hat|hatte|ist|war|leidet|nimmt|bekommt|muss|has"
    r"|had|is|was|suffers|takes|got|needs)(?![\w-])"
)


def _full_name(text: str, lo: int, hi: int) -> bool:
    """A known first name and a known surname side by side ("Anna Weber"), or a known
    first name as the subject of a health statement ("Mila hat Läuse")."""
    lex = name_lexicon()
    return any(
        lex.is_first(m.group(1)) and lex.is_any_surname(m.group(2))
        for m in _PAIR_RE.finditer(text, lo, hi)
    ) or any(m.group(1) in lex.curated for m in _SUBJECT_RE.finditer(text, lo, hi))
