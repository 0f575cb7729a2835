"""Fictitious but well-formed values for the labeled corpus.

Every value with a check digit gets a correct one: IBAN (ISO 7064 mod 97-10),
credit cards (Luhn), Steuer-IdNr and USt-IdNr (ISO 7064 mod 11-10 via python-stdnum),
Rentenversicherungsnummer, Krankenversichertennummer and the machine-readable
document numbers of Personalausweis and Reisepass (ICAO 9303, weights 7-3-1).
The names are this module's own small lists, independent of the checker's data.
Secrets are assembled from pieces at run time so the repository holds no complete
key shape.
"""

from __future__ import annotations

import random
import string
import unicodedata
from dataclasses import dataclass

import phonenumbers
from stdnum import iban, luhn
from stdnum.de import idnr, vat
from stdnum.iso7064 import mod_11_10

FIRST_NAMES_DE = (
    "Anna",
    "Lukas",
    "Sabine",
    "Thomas",
    "Katrin",
    "Jürgen",
    "Monika",
    "Stefan",
    "Birgit",
    "Matthias",
    "Claudia",
    "Florian",
    "Heike",
    "Tobias",
    "Ute",
    "Felix",
    "Jana",
    "Markus",
    "Lena",
    "Wolfgang",
    "Sophie",
    "Dieter",
    "Franziska",
    "Holger",
    "Marie",
    "Günter",
)
FIRST_NAMES_AT_CH = ("Leopold", "Theresa", "Reto", "Ursina", "Valentin", "Annelies", "Beat")
FIRST_NAMES_TR = ("Mehmet", "Ayşe", "Emre", "Elif", "Murat", "Zeynep", "Can", "Fatma")
FIRST_NAMES_INTL = (
    "Olga",
    "Piotr",
    "Giulia",
    "Marco",
    "Sarah",
    "James",
    "Nadia",
    "Ahmed",
    "Chen",
    "Priya",
)
LAST_NAMES = (
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Krüger",
    "Hartmann",
    "Lange",
    "Werner",
    "Krause",
    "Lehmann",
    "Köhler",
    "Huber",
    "Gruber",
    "Pichler",
    "Steiner",
    "Moser",
    "Brunner",
    "Keller",
    "Meier",
    "Yılmaz",
    "Kaya",
    "Demir",
    "Şahin",
    "Çelik",
    "Öztürk",
    "Aydın",
    "Kowalski",
    "Nowak",
    "Rossi",
    "Bianchi",
    "Smith",
    "Johnson",
    "Petrov",
    "Nguyen",
    "Papadopoulos",
    "Haddad",
    "Schulze-Berndt",
    "von Arnim",
)
FIRST_NAMES = FIRST_NAMES_DE + FIRST_NAMES_AT_CH + FIRST_NAMES_TR + FIRST_NAMES_INTL

MAIL_DOMAINS = (
    "gmx.de",
    "web.de",
    "t-online.de",
    "gmail.com",
    "outlook.de",
    "posteo.de",
    "bluewin.ch",
    "mueller-haustechnik.de",
    "schreinerei-koch.de",
    "kanzlei-werner.de",
    "aon.at",
)
STREETS = (
    "Hauptstraße",
    "Bahnhofstraße",
    "Lindenweg",
    "Gartenstraße",
    "Mühlbachweg",
    "Schulstraße",
    "Kirchgasse",
    "Rosenweg",
    "Goethestraße",
    "Industriestraße",
    "Birkenallee",
    "Feldweg",
    "Mozartgasse",
    "Untere Dorfstraße",
)
CITIES = (
    ("80331", "München"),
    ("10115", "Berlin"),
    ("50667", "Köln"),
    ("70173", "Stuttgart"),
    ("20095", "Hamburg"),
    ("04109", "Leipzig"),
    ("90402", "Nürnberg"),
    ("33602", "Bielefeld"),
    ("79098", "Freiburg im Breisgau"),
    ("01067", "Dresden"),
    ("1010", "Wien"),
    ("8001", "Zürich"),
    ("28195", "Bremen"),
    ("66111", "Saarbrücken"),
)
KFZ_DISTRICTS = ("M", "B", "HH", "K", "S", "F", "DD", "N", "BI", "FR", "GÖ", "LB", "RT", "HD")
HEALTH_TERMS_DE = (
    "Bandscheibenvorfall",
    "Depression",
    "Diabetes mellitus Typ 2",
    "Migräne",
    "Burn-out",
    "Schwangerschaft",
    "Bluthochdruck",
    "Asthma bronchiale",
    "Schwerbehinderung (GdB 50)",
    "Kreuzbandriss",
    "Angststörung",
    "Long Covid",
    "Krebserkrankung",
    "Alkoholabhängigkeit",
    "F32.1",
    "M51.2",
    "J45.0",
)
SICK_DE = ("krankgeschrieben", "arbeitsunfähig", "krank gemeldet", "arbeitsunfähig erkrankt")
SICK_EN = ("on sick leave", "off sick")
HEALTH_TERMS_EN = (
    "herniated disc",
    "depression",
    "type 2 diabetes",
    "migraine",
    "burnout",
    "pregnancy",
    "high blood pressure",
    "asthma",
    "anxiety disorder",
    "cancer",
)

_IDDOC_CHARS = "CFGHJKLMNPRTVWXYZ0123456789"  # the alphabet of German ID document numbers


@dataclass(frozen=True)
class Person:
    first: str
    last: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


def ascii_fold(text: str) -> str:
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("Ä", "Ae"), ("Ö", "Oe")):
        text = text.replace(a, b)
    text = text.replace("Ü", "Ue").replace("ı", "i").replace("ş", "s").replace("Ş", "S")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def person(r: random.Random) -> Person:
    return Person(r.choice(FIRST_NAMES), r.choice(LAST_NAMES))


def email(r: random.Random, p: Person | None = None) -> str:
    p = p or person(r)
    first = ascii_fold(p.first).lower()
    last = ascii_fold(p.last).lower().replace(" ", "").replace("-", "")
    local = r.choice((f"{first}.{last}", f"{first[0]}.{last}", f"{first}{r.randint(70, 99)}"))
    return f"{local}@{r.choice(MAIL_DOMAINS)}"


def phone(r: random.Random) -> str:
    """A German, Austrian or Swiss number that libphonenumber accepts as valid."""
    while True:
        number = _phone_shape(r)
        if phonenumbers.is_valid_number(phonenumbers.parse(number, "DE")):
            return number


def _phone_shape(r: random.Random) -> str:
    def digits(n: int) -> str:
        return "".join(r.choice(string.digits) for _ in range(n))

    kind = r.randrange(7)
    if kind == 0:
        return f"+49 30 {digits(8)}"
    if kind == 1:
        return f"0{r.choice(('151', '160', '171', '176'))} {digits(7)}"
    if kind == 2:
        return f"+49 (0)89 {digits(3)} {digits(3)}-{digits(2)}"
    if kind == 3:
        return f"0{r.choice(('40', '221', '711', '521'))}/{digits(6)}"
    if kind == 4:
        return f"+49 {r.choice(('170', '152', '157'))} {digits(3)} {digits(4)}"
    if kind == 5:
        return f"+43 1 {digits(3)} {digits(4)}"
    return f"+41 44 {digits(3)} {digits(2)} {digits(2)}"


def iban_de(r: random.Random, spaced: bool | None = None) -> str:
    bban = f"{r.randint(10000000, 89999999)}{r.randint(0, 9_999_999_999):010d}"
    number = "DE" + iban.calc_check_digits("DE00" + bban) + bban
    if spaced if spaced is not None else r.random() < 0.7:
        return iban.format(number)
    return number


def credit_card(r: random.Random) -> str:
    kind = r.randrange(3)
    if kind == 2:  # American Express: 15 digits, 4-6-5
        body = r.choice(("34", "37")) + "".join(r.choice(string.digits) for _ in range(12))
        number = body + luhn.calc_check_digit(body)
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    prefix = "4" if kind == 0 else str(r.randint(51, 55))
    body = prefix + "".join(r.choice(string.digits) for _ in range(15 - len(prefix)))
    number = body + luhn.calc_check_digit(body)
    sep = r.choice((" ", "-", ""))
    return sep.join(number[i : i + 4] for i in range(0, 16, 4))


def ip_address(r: random.Random) -> str:
    kind = r.randrange(4)
    if kind == 0:
        return f"192.168.{r.randint(0, 20)}.{r.randint(2, 254)}"
    if kind == 1:
        return f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 254)}"
    if kind == 2:
        first = r.choice(("84", "91", "178", "217"))
        return f"{first}.{r.randint(1, 254)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
    return f"2001:db8:{r.randint(1, 0xFFFF):x}::{r.randint(1, 0xFFF):x}"


def street_address(r: random.Random) -> str:
    plz, city = r.choice(CITIES)
    number = f"{r.randint(1, 120)}{r.choice(('', '', '', 'a', 'b'))}"
    return f"{r.choice(STREETS)} {number}, {plz} {city}"


def birth_date(r: random.Random, lang: str = "de") -> str:
    y, m, d = r.randint(1948, 2005), r.randint(1, 12), r.randint(1, 28)
    if lang == "en":
        return r.choice((f"{y}-{m:02d}-{d:02d}", f"{d:02d}/{m:02d}/{y}"))
    return r.choice((f"{d:02d}.{m:02d}.{y}", f"{d}.{m}.{y}"))


def tax_id(r: random.Random) -> str:
    while True:
        digits = [str(r.randint(1, 9))] + [r.choice(string.digits) for _ in range(9)]
        body = "".join(digits)
        number = body + mod_11_10.calc_check_digit(body)
        if idnr.is_valid(number):
            break
    if r.random() < 0.5:
        return f"{number[:2]} {number[2:5]} {number[5:8]} {number[8:]}"
    return number


def vat_id(r: random.Random) -> str:
    body = str(r.randint(10_000_000, 99_999_999))
    number = body + mod_11_10.calc_check_digit(body)
    assert vat.is_valid(number)
    return ("DE " if r.random() < 0.2 else "DE") + number


def rvnr_check_digit(number: str) -> str:
    """Check digit of a Rentenversicherungsnummer (first 11 characters given)."""
    digits = number[:8] + f"{ord(number[8].upper()) - 64:02d}" + number[9:11]
    weights = (2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1)
    total = sum(sum(divmod(int(d) * w, 10)) for d, w in zip(digits, weights, strict=True))
    return str(total % 10)


def social_security(r: random.Random, p: Person | None = None) -> str:
    """Rentenversicherungsnummer: area, birth date DDMMYY, initial of the birth name, serial."""
    p = p or person(r)
    initial = ascii_fold(p.last.replace("von ", ""))[0].upper()
    body = (
        f"{r.choice((12, 13, 15, 24, 53, 65))}{r.randint(1, 28):02d}{r.randint(1, 12):02d}"
        f"{r.randint(48, 99):02d}{initial}{r.randint(0, 49):02d}"
    )
    number = body + rvnr_check_digit(body)
    if r.random() < 0.4:
        return f"{number[:2]} {number[2:8]} {number[8]} {number[9:]}"
    return number


def kvnr_check_digit(number: str) -> str:
    """Check digit of a Krankenversichertennummer (letter + 8 digits given)."""
    digits = f"{ord(number[0].upper()) - 64:02d}" + number[1:9]
    total = 0
    for i, d in enumerate(digits):
        product = int(d) * (1 if i % 2 == 0 else 2)
        total += product // 10 + product % 10
    return str(total % 10)


def health_insurance(r: random.Random) -> str:
    body = r.choice(string.ascii_uppercase) + f"{r.randint(10_000_000, 99_999_999)}"
    return body + kvnr_check_digit(body)


def icao_check_digit(value: str) -> str:
    """ICAO 9303 check digit (weights 7, 3, 1; letters A=10 … Z=35)."""
    weights = (7, 3, 1)
    total = 0
    for i, c in enumerate(value):
        n = int(c) if c.isdigit() else ord(c) - 55
        total += n * weights[i % 3]
    return str(total % 10)


def id_card(r: random.Random) -> str:
    """Personalausweis (since 2010): letter L-Y, eight more characters, check digit."""
    body = r.choice("LMNPRTVWXY") + "".join(r.choice(_IDDOC_CHARS) for _ in range(8))
    return body + icao_check_digit(body)


def passport(r: random.Random) -> str:
    """Reisepass: C, F, G, H, J or K, eight more characters; check digit half of the time."""
    body = r.choice("CFGHJK") + "".join(r.choice(_IDDOC_CHARS) for _ in range(8))
    return body + icao_check_digit(body) if r.random() < 0.5 else body


def kfz(r: random.Random) -> str:
    district = r.choice(KFZ_DISTRICTS)
    letters = "".join(r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(r.randint(1, 2)))
    number = str(r.randint(1, 9999))
    suffix = "E" if r.random() < 0.1 else ""
    return f"{district}{r.choice(('-', ' '))}{letters} {number}{suffix}"


def health(r: random.Random, lang: str = "de", variant: str = "") -> str:
    """A diagnosis, or with variant "sick" a sick-leave phrase."""
    if variant == "sick":
        return r.choice(SICK_DE if lang == "de" else SICK_EN)
    return r.choice(HEALTH_TERMS_DE if lang == "de" else HEALTH_TERMS_EN)


def _rand(r: random.Random, alphabet: str, n: int) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def secret(r: random.Random, variant: str = "") -> str:
    """An API key or token ("key"), a password ("password"), or either (default).

    The key prefixes are joined here, at run time.
    """
    alnum = string.ascii_letters + string.digits
    kind = {"key": r.randrange(5), "password": 5}.get(variant, r.randrange(6))
    if kind == 0:
        return "-".join(("sk", "proj", _rand(r, alnum + "_-", 48)))
    if kind == 1:
        return "-".join(("sk", "ant", "api" + "03", _rand(r, alnum + "_-", 60)))
    if kind == 2:
        return "AK" + "IA" + _rand(r, string.ascii_uppercase + string.digits, 16)
    if kind == 3:
        return "gh" + "p_" + _rand(r, alnum, 36)
    if kind == 4:
        return "sk" + "-" + _rand(r, alnum, 40)
    # A password: as real as the others, and without any recognisable shape.
    return _rand(r, string.ascii_letters, 5) + r.choice("!#$%&?") + _rand(r, alnum, 6)
