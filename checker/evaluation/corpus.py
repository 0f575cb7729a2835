"""A seeded generator of labeled German/English business texts (`generate`).

Texts are built from templates by slot filling, so every gold span's offsets are
exact. Placeholders:

- ``{TYPE}``, ``{TYPE#id}``, ``{TYPE#id:variant}``: a labeled value of entity TYPE;
  the same ``#id`` in one text means the same value (or the same person: an
  ``EMAIL_ADDRESS#a`` is built from ``PERSON#a``'s name). PERSON variants ``first``,
  ``last``, ``full`` (default); SECRET ``key`` or ``password``; HEALTH_DATA ``sick``
  (a sick-leave phrase) or a diagnosis (default).
- ``{_filler}``, ``{_filler2}``: an unlabeled value — order, invoice and article
  numbers, ordinary dates, amounts, versions, rooms, product names. These are the
  hard negatives; the clean texts consist of nothing else.

Each template names its ``family`` (its shape); ``split.py`` holds a fixed third of the
families out of tuning.
"""

from __future__ import annotations

import random
import re
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from checker.evaluation import values as v
from checker.evaluation.samples import ENTITY_TYPES, Sample, Span, Template
from checker.evaluation.templates import CLEAN_TEMPLATES, PII_TEMPLATES

PII_ROUNDS = 10  # each personal-data template is used this many times
CLEAN_ROUNDS = 8

_SLOT = re.compile(
    r"\{(?P<name>[A-Z][A-Z_]*|_[a-z_]+?)(?P<n>\d*)(?:#(?P<id>\w+))?(?::(?P<var>\w+))?\}"
)


# --- unlabeled fillers (hard negatives) --------------------------------------------

PRODUCTS = (
    "Wärmepumpe aroTHERM plus",
    "Kompressor KX-400",
    "Spindelmotor SM 3000",
    "Hydraulikpresse HP 25",
    "Schaltschrank Rittal VX25",
    "Förderband FB-1200",
    "Steuerung Simatic S7-1500",
    "Akkuschrauber Pro 18V",
    "Lüftungsgerät Vento 350",
    "Drehmaschine CTX 310",
)
COMPANIES = (
    "Muster Maschinenbau GmbH",
    "Nordlicht Logistik AG",
    "Sonnenhof Handels KG",
    "Alpen Präzisionstechnik GmbH",
    "Rheintal Elektro GmbH & Co. KG",
)
CODENAMES = ("Falke", "Nordlicht", "Atlas", "Kranich", "Orion")
DEPARTMENTS = ("Einkauf", "Vertrieb", "Buchhaltung", "Produktion", "IT", "Qualitätssicherung")
JOBS = ("Industriekauffrau", "Mechatroniker", "Teamleitung Einkauf", "Fachinformatiker")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August")


def _digits(r: random.Random, n: int) -> str:
    return "".join(r.choice(string.digits) for _ in range(n))


def _amount(r: random.Random) -> str:
    value = r.randint(1, 250_000) + r.choice((0, 0.5, r.randint(1, 99) / 100))
    euros, cents = divmod(round(value * 100), 100)
    formatted = f"{euros:,}".replace(",", ".")
    return r.choice(
        (f"{formatted},{cents:02d} €", f"{formatted} €", f"EUR {formatted},{cents:02d}")
    )


def _amount_en(r: random.Random) -> str:
    euros, cents = r.randint(10, 90_000), r.randint(0, 99)
    return r.choice((f"€{euros:,}.{cents:02d}", f"EUR {euros:,}"))


def _date(r: random.Random) -> str:
    return f"{r.randint(1, 28):02d}.{r.randint(1, 12):02d}.{r.randint(2023, 2026)}"


def _date_en(r: random.Random) -> str:
    return r.choice(
        (
            f"{r.choice(MONTHS_EN)} {r.randint(1, 28)}, {r.randint(2024, 2026)}",
            f"{r.randint(2024, 2026)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
        )
    )


def _version(r: random.Random) -> str:
    return f"{r.choice(('', 'v'))}{r.randint(1, 12)}.{r.randint(0, 30)}.{r.randint(0, 20)}"


FILLERS: dict[str, Callable[[random.Random], str]] = {
    "_order": lambda r: r.choice(
        (f"4500{_digits(r, 6)}", f"BE-{r.randint(2023, 2026)}-{_digits(r, 5)}", f"#{_digits(r, 6)}")
    ),
    "_invoice": lambda r: r.choice((f"RE-{r.randint(2023, 2026)}-{_digits(r, 5)}", _digits(r, 9))),
    "_article": lambda r: r.choice(
        (f"{_digits(r, 2)}-{_digits(r, 4)}-{_digits(r, 2)}", "ART" + _digits(r, 6))
    ),
    "_quote": lambda r: f"AN-{r.randint(2023, 2026)}-{_digits(r, 4)}",
    "_customer": lambda r: f"KD-{_digits(r, 6)}",
    "_supplier": lambda r: _digits(r, 6),
    "_beleg": lambda r: "51" + _digits(r, 8),
    "_bukrs": lambda r: r.choice(("1000", "2000", "3100")),
    "_report": lambda r: f"PB-{r.randint(2023, 2026)}-{_digits(r, 4)}",
    "_batch": lambda r: f"CH-{r.randint(23, 26)}-{_digits(r, 3)}",
    "_serial": lambda r: f"SN {_digits(r, 4)}-{_digits(r, 4)}-{_digits(r, 2)}",
    "_ticket": lambda r: f"{r.choice(('JIRA', 'OPS', 'IT', 'ERP'))}-{r.randint(100, 9999)}",
    "_cost": lambda r: str(r.randint(4000, 9999)),
    "_date": _date,
    "_date_en": _date_en,
    "_logts": lambda r: (
        f"2025-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T"
        f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z"
    ),
    "_time": lambda r: f"{r.randint(8, 11):02d}:00 bis {r.randint(12, 16):02d}:30 Uhr",
    "_kw": lambda r: str(r.randint(1, 52)),
    "_hour": lambda r: str(r.randint(6, 22)),
    "_q": lambda r: str(r.randint(1, 4)),
    "_year": lambda r: str(r.randint(2023, 2025)),
    "_amount": _amount,
    "_amount_en": _amount_en,
    "_pct": lambda r: r.choice((f"{r.randint(2, 30)} %", f"{r.randint(1, 20)},5 %")),
    "_pctd": lambda r: f"{r.choice('+-')}{r.randint(0, 19)},{r.randint(0, 9)} %",
    "_qty": lambda r: str(r.randint(2, 500)),
    "_n": lambda r: str(r.randint(2, 24)),
    "_hours": lambda r: f"{r.randint(1, 40)}.{_digits(r, 3)}",
    "_version": _version,
    "_build": lambda r: f"10.0.{r.randint(17000, 22999)}.{r.randint(1000, 4999)}",
    "_sha": lambda r: f"{r.getrandbits(160):040x}",
    "_uuid": lambda r: str(uuid.UUID(int=r.getrandbits(128), version=4)),
    "_room": lambda r: r.choice(
        (f"{r.randint(0, 5)}.{r.randint(1, 40):02d}", f"B {r.randint(1, 4)}.{r.randint(1, 20):02d}")
    ),
    "_product": lambda r: r.choice(PRODUCTS),
    "_company": lambda r: r.choice(COMPANIES),
    "_codename": lambda r: r.choice(CODENAMES),
    "_city": lambda r: r.choice(v.CITIES)[1],
    "_dept": lambda r: r.choice(DEPARTMENTS),
    "_job": lambda r: r.choice(JOBS),
}


# --- labeled values ------------------------------------------------------------------


@dataclass
class _Context:
    r: random.Random
    lang: str
    people: dict[str, v.Person] = field(default_factory=dict)
    values: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def person(self, ident: str) -> v.Person:
        if ident not in self.people:
            self.people[ident] = v.person(self.r)
        return self.people[ident]

    def entity(self, entity_type: str, ident: str, variant: str) -> str:
        key = (entity_type, ident, variant)
        if key not in self.values:
            self.values[key] = self._new(entity_type, ident, variant)
        return self.values[key]

    def _new(self, entity_type: str, ident: str, variant: str) -> str:
        r = self.r
        if entity_type == "PERSON":
            p = self.person(ident)
            return {"first": p.first, "last": p.last}.get(variant, p.full)
        if entity_type == "EMAIL_ADDRESS":
            return v.email(r, self.person(ident))
        if entity_type == "DE_SOCIAL_SECURITY":
            return v.social_security(r, self.person(ident))
        if entity_type == "DATE_OF_BIRTH":
            return v.birth_date(r, self.lang)
        if entity_type == "HEALTH_DATA":
            return v.health(r, self.lang, variant)
        if entity_type == "SECRET":
            return v.secret(r, variant)
        return GENERATORS[entity_type](r)


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "PHONE_NUMBER": v.phone,
    "IBAN_CODE": v.iban_de,
    "CREDIT_CARD": v.credit_card,
    "IP_ADDRESS": v.ip_address,
    "STREET_ADDRESS": v.street_address,
    "DE_TAX_ID": v.tax_id,
    "DE_ID_CARD": v.id_card,
    "DE_PASSPORT": v.passport,
    "DE_HEALTH_INSURANCE": v.health_insurance,
    "DE_VAT_ID": v.vat_id,
    "DE_KFZ": v.kfz,
}


def fill(template: Template, r: random.Random) -> Sample:
    """Fill one template; the spans point exactly at the labeled values."""
    ctx = _Context(r, template.lang)
    fillers: dict[str, str] = {}
    parts: list[str] = []
    spans: list[Span] = []
    pos = 0
    length = 0
    for m in _SLOT.finditer(template.text):
        literal = template.text[pos : m.start()]
        parts.append(literal)
        length += len(literal)
        name = m["name"]
        if name.startswith("_"):
            key = name + m["n"]
            if key not in fillers:
                fillers[key] = FILLERS[name](r)
            value = fillers[key]
        else:
            if name not in ENTITY_TYPES:
                raise ValueError(f"unknown entity type in template: {name}")
            value = ctx.entity(name, m["id"] or "", m["var"] or "")
            spans.append(Span(name, length, length + len(value)))
        parts.append(value)
        length += len(value)
        pos = m.end()
    parts.append(template.text[pos:])
    text = "".join(parts)
    for span in spans:
        value = text[span.start : span.end]
        assert value and value == value.strip(), (template.text, span)
    return Sample(text, tuple(spans), template.kind, template.lang, template.family)


def generate(seed: int = 7) -> list[Sample]:
    """The labeled corpus: texts with personal data first, then clean texts.

    Deterministic for a seed: every text has its own `random.Random` seeded from
    (seed, index), so the same seed gives the same texts in any Python process.
    """
    samples: list[Sample] = []
    plan = [t for _ in range(PII_ROUNDS) for t in PII_TEMPLATES] + [
        t for _ in range(CLEAN_ROUNDS) for t in CLEAN_TEMPLATES
    ]
    for index, template in enumerate(plan):
        samples.append(fill(template, random.Random(f"leitplanke-eval:{seed}:{index}")))
    return samples


def value_of(sample: Sample, span: Span) -> str:
    return sample.text[span.start : span.end]
