"""PERSON in structured text: JSON/YAML keys, SQL, vCards and ID-card fields.

Used by ``PersonCueRecognizer``. A name split over fields is one span per field, as in
CSV tables (``table_columns``):

- key/value pairs whose key names a person field: ``"first_name": "Olga"``,
  ``vorname = 'Ewa'`` (also SQL ``WHERE nachname = 'Kaminski'``), ``lastName: Haddad``;
- SQL ``INSERT INTO t (vorname, nachname, …) VALUES ('Jürgen', 'Pfeiffer', …), …``;
- vCard ``N:Brennan;Aoife;;;`` and ``FN:Aoife Brennan``;
- ID-card and form fields in capitals: ``NAME: ÇELIK``, ``VORNAMEN: MERVE``,
  ``SURNAME / NOM: …``.

A value must look like a name (one to four words of letters); the field decides that
it is one, so unknown names count too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from checker.recognizers.sql_inserts import insert_cells
from checker.recognizers.table_columns import normalize_header

FIELD_SCORE = 0.85

# Field names (normalised: lower case, "_" for blanks and hyphens) that hold a person's
# name or part of it.
PERSON_KEYS = frozenset(
    """
    vorname vornamen nachname nachnamen familienname geburtsname name_vorname
    vor_und_nachname vollständiger_name vollername voller_name rufname
    first_name firstname first given_name givenname given_names last_name lastname last
    surname family_name familyname full_name fullname display_name displayname
    contact_name contactname customer_name customername employee_name employeename
    patient_name patientname owner_name ownername kundenname mitarbeitername
    ansprechpartner ansprechpartnerin kontaktperson contact_person
    mitarbeiter mitarbeiterin patient patientin bewerber bewerberin
    vorname_kind nachname_kind name_kind
    """.split()  # noqa: SIM905 - a word block is easier to read and extend
)
# Keys that may hold a person or a thing: only when no product key is in the record.
MAYBE_PERSON_KEYS = frozenset("name kunde customer contact owner".split())  # noqa: SIM905

_UP = "A-ZÀ-ÖØ-Þ\u0100-\u024f"
_LO = "a-zß-öø-ÿ\u0100-\u024f"
_LETTERS = rf"[{_UP}{_LO}]"
# A name value: words of letters with hyphens/apostrophes, at most four words.
_VALUE = rf"{_LETTERS}+(?:['’-]{_LETTERS}+)*\.?(?:[ ]{_LETTERS}+(?:['’-]{_LETTERS}+)*\.?){{0,3}}"
_VALUE_RE = re.compile(rf"{_VALUE}")
_KEY_VALUE_RE = re.compile(
    r"(?<![\w-])[\"'`]?(?P<key>[A-Za-zÄÖÜäöü][\w.-]{1,30})[\"'`]?[ \t]*(?::|=>|==?|:=)[ \t]*"
    r"(?P<q>[\"'])(?P<value>[^\"'\n]{1,80})(?P=q)"
)
# YAML / unquoted "lastName: Haddad" at a line start
_YAML_RE = re.compile(
    rf"^[ \t-]*(?P<key>[A-Za-z][\w-]{{1,30}})[ \t]*:[ \t]+(?P<value>{_VALUE})[ \t]*$",
    re.MULTILINE,
)
_VCARD_N_RE = re.compile(r"^N(?:;[^:\n]*)?:(?P<body>[^\n]*)$", re.MULTILINE)
_VCARD_FN_RE = re.compile(r"^FN(?:;[^:\n]*)?:[ \t]*(?P<value>[^\n]+?)[ \t]*$", re.MULTILINE)
# ID card / form fields in capitals; the value on the same line.
_CAPS_LABEL_RE = re.compile(
    r"^[ \t]*(?:\d[a-z]?[.)]?[ \t]*)?(?P<label>NAME|NAMEN|NACHNAME|FAMILIENNAME|GEBURTSNAME"
    r"|VORNAME|VORNAMEN|SURNAME|GIVEN[ ]NAMES?|FIRST[ ]NAMES?|LAST[ ]NAME|NOM|PRÉNOMS?|PRENOMS?)"
    r"(?:[ \t]*/[ \t]*[A-ZÉ ]{2,20})*[ \t]*:?[ \t]+"
    rf"(?P<value>[{_UP}]{{2,}}(?:[-' ][{_UP}]{{2,}}){{0,3}})[ \t]*$",
    re.MULTILINE,
)


def _key(raw: str) -> str:
    return normalize_header(raw).replace("-", "_").split(".")[-1]


def _name_value(value: str) -> bool:
    value = value.strip()
    return (
        bool(value) and _VALUE_RE.fullmatch(value) is not None and any(c.isupper() for c in value)
    )


def field_candidates(text: str) -> Iterator[tuple[int, int, float, str]]:
    """(start, end, score, rule) of every name value in a person field."""
    products = re.search(
        r"(?i)[\"']?(?:sku|price|preis|artikel|product|ean|qty)[\"']?\s*[:=]", text
    )
    for m in _KEY_VALUE_RE.finditer(text):
        key = _key(m.group("key"))
        if key in PERSON_KEYS or (key in MAYBE_PERSON_KEYS and not products):
            value = m.group("value")
            if _name_value(value):
                start = m.start("value") + len(value) - len(value.lstrip())
                yield start, start + len(value.strip()), FIELD_SCORE, "person field"
    for m in _YAML_RE.finditer(text):
        key = _key(m.group("key"))
        if key in PERSON_KEYS and _name_value(m.group("value")):
            yield m.start("value"), m.end("value"), FIELD_SCORE, "person field"
    yield from _sql_inserts(text)
    yield from _vcards(text)
    for m in _CAPS_LABEL_RE.finditer(text):
        yield m.start("value"), m.end("value"), FIELD_SCORE, "ID-card field"


def _sql_inserts(text: str) -> Iterator[tuple[int, int, float, str]]:
    for columns, index, start, end in insert_cells(text):
        keys = set(columns)
        if not keys & PERSON_KEYS:
            continue
        # "name" beside "vorname" is the surname (a product table has no person key)
        wanted = columns[index] in PERSON_KEYS or columns[index] in MAYBE_PERSON_KEYS
        if wanted and _name_value(text[start:end]):
            yield start, end, FIELD_SCORE, "SQL person column"


def _vcards(text: str) -> Iterator[tuple[int, int, float, str]]:
    for m in _VCARD_N_RE.finditer(text):
        pos = m.start("body")
        for part in m.group("body").split(";")[:3]:
            value = part.strip()
            if value and _name_value(value):
                start = pos + part.index(value)
                yield start, start + len(value), FIELD_SCORE, "vCard name"
            pos += len(part) + 1
    for m in _VCARD_FN_RE.finditer(text):
        if _name_value(m.group("value")):
            yield m.start("value"), m.end("value"), FIELD_SCORE, "vCard name"
