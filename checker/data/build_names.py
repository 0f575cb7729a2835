"""Build ``first_names_more.txt`` and ``surnames.txt`` from Faker's and Mimesis' name lists.

Run offline, once, by a developer — never at run time:

    pip download --no-deps -d /tmp/names faker mimesis      # both MIT-licensed
    python -m checker.data.build_names /tmp/names

Both packages ship person-name lists per locale (Faker ``providers/person/<locale>``,
Mimesis ``datasets/<locale>/person.json``). We take the locales of the origins common in
German workplaces, transliterate Cyrillic and Greek to the German and the English
spelling, add an ASCII spelling of names with diacritics (people type "Yilmaz",
"Dabrowski", "Nguyen"), and sort every name into one of two groups:

- a plain name: no common German or English word;
- ``~`` a homograph (surnames only): also a German noun with plural forms in spaCy's
  German lemma table (Koch/Köche, Winter/Wintern, Fuchs/Füchse), or a frequent
  lower-case German or English word (lang, klein, will, hope) by spaCy's lexeme
  probabilities (spacy-lookups-data, MIT). A homograph counts as a name only with
  further evidence (a first name, title or initial before it, a speaker label).

First names that are homographs are left out (the curated ``first_names.txt`` and the
recognizer's ambiguous-name rule handle the few common ones such as Can, Will, Mark).
"""

from __future__ import annotations

import gzip
import importlib
import json
import re
import sys
import unicodedata
import zipfile
from collections import defaultdict
from importlib import resources
from pathlib import Path

FAKER_LOCALES = """
    de_DE de_AT de_CH tr_TR pl_PL ru_RU uk_UA it_IT el_GR hr_HR sl_SI ro_RO
    bg_BG cs_CZ sk_SK hu_HU es_ES pt_PT pt_BR fr_FR nl_NL en_US en_GB en_IE
    ga_IE az_AZ lt_LT lv_LV da_DK sv_SE no_NO fi_FI vi_VN fr_DZ en_PK en_IN
    en_NG en_KE yo_NG tw_GH id_ID mk_MK
""".split()  # noqa: SIM905 - a word block is easier to read
MIMESIS_LOCALES = """
    de de-at de-ch tr pl ru uk it el cs hu nl
    es fr pt hr sk da sv no fi az en en-gb
""".split()  # noqa: SIM905 - a word block is easier to read
# Frequent lower-case words: a log probability above these in spaCy's lexeme tables.
GERMAN_WORD_LOGPROB = -12.5
ENGLISH_WORD_LOGPROB = -11.0
# Occupational nouns that are, in business text, far more often the surnames they
# became (Germany's most common surnames) than the trade: not homographs.
SURNAME_RESCUE = frozenset(["Müller", "Schneider", "Fischer", "Zimmermann", "Schäfer"])
_NAME_RE = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-Ž][a-zß-öø-ÿā-žǀ-ɏ]+(?:[-'’][A-ZÀ-ÖØ-ÞĀ-Ž][a-zß-öø-ÿā-ž]+)?$")


def _table(letters: str, spelled: str) -> dict[str, str]:
    """Letter -> Latin spelling ("-": dropped, the hard and soft signs)."""
    return dict(zip(letters, spelled.split(), strict=True))


_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяєіїґ"
_CYRILLIC_DE = _table(
    _CYRILLIC,
    "a b w g d e jo sch s i i k l m n o p r s t u f ch z tsch sch schtsch - y - e ju ja je i ji g",
)
_CYRILLIC_EN = _table(
    _CYRILLIC,
    "a b v g d e yo zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya ye i yi g",
)
_GREEK = _table(
    "αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ",
    "a v g d e z i th i k l m n x o p r s s t y f ch ps o a e i i o y o i y i y",
)


def _translit(name: str, table: dict[str, str]) -> str:
    out = []
    for ch in name:
        low = ch.lower()
        t = table.get(low)
        if t is None:
            out.append(ch)
            continue
        t = "" if t == "-" else t
        out.append(t.capitalize() if ch != low else t)
    result = "".join(out)
    return result[:1].upper() + result[1:]


def ascii_fold(name: str) -> str:
    special = {"ß": "ss", "ł": "l", "Ł": "L", "ı": "i", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O"}
    name = "".join(special.get(c, c) for c in name)
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def _faker_names(wheel: Path) -> tuple[set[str], set[str]]:
    first: set[str] = set()
    last: set[str] = set()
    tmp = wheel.parent / "faker_unpacked"
    if not tmp.exists():
        zipfile.ZipFile(wheel).extractall(tmp)
    sys.path.insert(0, str(tmp))
    for locale in FAKER_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in dir(provider):
            value = getattr(provider, attr)
            names = value.keys() if isinstance(value, dict) else value
            if attr.startswith("first_names"):
                first.update(_spellings(names))
            elif attr.startswith("last_names"):
                last.update(_spellings(names))
    return first, last


def _mimesis_names(wheel: Path) -> tuple[set[str], set[str]]:
    first: set[str] = set()
    last: set[str] = set()
    with zipfile.ZipFile(wheel) as z:
        for locale in MIMESIS_LOCALES:
            data = json.loads(z.read(f"mimesis/datasets/{locale}/person.json"))
            for key, target in (("names", first), ("surnames", last)):
                value = data.get(key, {})
                names = [n for v in value.values() for n in v] if isinstance(value, dict) else value
                target.update(_spellings(names))
    return first, last


def _places(wheel: Path) -> set[str]:
    """City, state and country names (Mimesis' address data): "Achern", "Essen" and
    "Florenz" are places far more often than people in a prompt."""
    places: set[str] = set()
    with zipfile.ZipFile(wheel) as z:
        for locale in ("de", "de-at", "de-ch", "en", "en-gb", "pl", "tr", "it", "fr"):
            data = json.loads(z.read(f"mimesis/datasets/{locale}/address.json"))
            for key in ("city", "state", "country", "continent"):
                value = data.get(key, [])
                if isinstance(value, dict):
                    value = [n for v in value.values() for n in (v if isinstance(v, list) else [v])]
                for entry in value:
                    places.update(str(entry).split())
    return places


def _spellings(names: object) -> set[str]:
    out: set[str] = set()
    for raw in names:  # type: ignore[attr-defined]
        name = str(raw).strip()
        if " " in name:
            continue
        variants = {name}
        if re.search("[а-яёєіїґ]", name.lower()):
            variants = {_translit(name, _CYRILLIC_DE), _translit(name, _CYRILLIC_EN)}
        elif re.search("[α-ωάέήίόύώ]", name.lower()):
            variants = {_translit(name, _GREEK)}
        for v in list(variants):
            variants.add(ascii_fold(v))
        out.update(v for v in variants if len(v) >= 3 and _NAME_RE.match(v))
    return out


def _word_tests() -> tuple[dict[str, float], dict[str, float], set[str]]:
    import srsly

    data = resources.files("spacy_lookups_data").joinpath("data")
    de_prob = srsly.read_gzip_json(str(data.joinpath("de_lexeme_prob.json.gz")))
    en_prob = srsly.read_gzip_json(str(data.joinpath("en_lexeme_prob.json.gz")))
    lemmas: dict[str, str] = srsly.read_gzip_json(str(data.joinpath("de_lemma_lookup.json.gz")))
    forms: dict[str, set[str]] = defaultdict(set)
    for word, lemma in lemmas.items():
        forms[lemma].add(word)
    nouns = {
        lemma
        for lemma, words in forms.items()
        if lemma[:1].isupper() and words - {lemma, lemma + "s", lemma + "es", lemma + "'s"}
    }
    # Inflected noun forms too ("Aale" of Aal, "Banken" of Bank).
    nouns |= {w for w, lemma in lemmas.items() if w[:1].isupper() and lemma in nouns}
    return de_prob, en_prob, nouns


def _write(path: Path, text: str) -> None:
    """gzip without a timestamp: the same input gives the same bytes."""
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(text.encode("utf-8"))


def main(folder: str) -> None:
    wheels = Path(folder)
    f1, l1 = _faker_names(next(wheels.glob("faker-*.whl")))
    f2, l2 = _mimesis_names(next(wheels.glob("mimesis-*.whl")))
    de_prob, en_prob, nouns = _word_tests()
    places = _places(next(wheels.glob("mimesis-*.whl")))

    def common_word(name: str) -> bool:
        low = name.lower()
        return (
            de_prob.get(low, -99) > GERMAN_WORD_LOGPROB
            or en_prob.get(low, -99) > ENGLISH_WORD_LOGPROB
        )

    first = {n for n in f1 | f2 if not common_word(n) and n not in nouns and n not in places}
    surnames = {}
    for n in (l1 | l2) - places:
        surnames[n] = n not in SURNAME_RESCUE and (common_word(n) or n in nouns)
    here = Path(__file__).parent
    header = (
        "# Generated by checker/data/build_names.py from Faker {faker} and Mimesis {mimesis}\n"
        "# (both MIT License; name lists of their person providers), do not edit by hand.\n"
    )
    versions = {
        "faker": next(wheels.glob("faker-*.whl")).name.split("-")[1],
        "mimesis": next(wheels.glob("mimesis-*.whl")).name.split("-")[1],
    }
    _write(
        here / "first_names_more.txt.gz",
        header.format(**versions)
        + "# First names without a common German or English word of the same spelling.\n"
        + "\n".join(sorted(first))
        + "\n",
    )
    _write(
        here / "surnames.txt.gz",
        header.format(**versions)
        + "# Surnames; '~' marks a homograph (also a German noun or a frequent word).\n"
        + "\n".join(("~" if h else "") + n for n, h in sorted(surnames.items()))
        + "\n",
    )
    print(f"{len(first)} first names, {len(surnames)} surnames ({sum(surnames.values())} ~)")


if __name__ == "__main__":
    main(sys.argv[1])
