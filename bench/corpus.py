"""The benchmark corpus: mixed German/English prompts of fixed sizes, seeded.

A prompt is a sequence of paragraphs drawn, with fixed shares, from three pools:

- prose (60 %): business paragraphs without personal data and with few digits (below);
- clean records (25 %): the evaluation corpus's clean texts — order and invoice
  numbers, ordinary dates, amounts, versions, product names (hard negatives);
- personal data (15 %): the evaluation corpus's labelled texts (names, IBANs, health
  data, secrets … of all 17 entity types).

So roughly every seventh paragraph carries personal data — a customer e-mail, an HR
note, a CSV excerpt — and most of a long document is ordinary text.
"""

from __future__ import annotations

import random

from checker.evaluation.corpus import generate
from checker.evaluation.samples import CLEAN

SIZES: dict[str, int] = {
    "0.2KB": 200,
    "2KB": 2_000,
    "20KB": 20_000,
    "200KB": 200_000,
    "1MB": 1_000_000,
}
SHARES = (("prose", 0.60), ("clean", 0.25), ("pii", 0.15))

PROSE = (
    "Kannst du mir helfen, diese Antwort für einen Kunden freundlicher zu formulieren? Er "
    "beschwert sich über die verspätete Lieferung der Wärmepumpe und möchte einen Rabatt.",
    "Fasse bitte die wichtigsten Punkte aus dem Protokoll der Vertriebsrunde zusammen: "
    "neue Preisliste, Schulung der Außendienstler und die Umstellung auf das neue CRM.",
    "Schreibe eine kurze Einladung zum Sommerfest der Abteilung. Es gibt Grillgut, "
    "vegetarische Salate und Getränke; Partner und Kinder sind herzlich willkommen.",
    "Wie formuliere ich eine Stellenanzeige für eine Fachkraft für Lagerlogistik, die "
    "modern klingt, aber nicht übertreibt? Wir sind ein Familienunternehmen im Maschinenbau.",
    "Übersetze den folgenden Absatz ins Englische und achte auf einen sachlichen Ton: Die "
    "Anlage wurde gemäß den Vorgaben des Herstellers gewartet und ohne Mängel übergeben.",
    "Erkläre mir den Unterschied zwischen Skonto und Rabatt so, dass ihn auch neue "
    "Auszubildende im Einkauf verstehen, mit einem einfachen Rechenbeispiel.",
    "Please rewrite this paragraph for our product newsletter so that it sounds less "
    "technical: the new firmware improves energy efficiency and reduces noise levels.",
    "Summarise the attached meeting notes in three bullet points for the management "
    "board, focusing on delivery risks, supplier prices and the hiring plan.",
    "Write a polite reminder to a supplier whose shipment is late, asking for a new "
    "delivery date and pointing out that our production line depends on it.",
    "What are common arguments for and against a four-day week in a mid-sized "
    "manufacturing company, and how could a pilot in one department look?",
    "Refactor this function so it reads the configuration once at start-up instead of "
    "on every request, and add a short docstring explaining the caching.",
    "Draft a short LinkedIn post announcing that our service team now also supports "
    "customers in Austria and Switzerland, friendly but not too salesy.",
)


def _pools(seed: int) -> dict[str, list[str]]:
    samples = generate(seed)
    return {
        "prose": list(PROSE),
        "clean": [s.text for s in samples if s.kind == CLEAN],
        "pii": [s.text for s in samples if s.kind != CLEAN],
    }


def prompt(
    size: int,
    r: random.Random,
    pools: dict[str, list[str]],
    shares: tuple[tuple[str, float], ...] = SHARES,
) -> str:
    """Paragraphs from the pools until `size` characters, cut to `size`."""
    names = [name for name, _ in shares]
    weights = [share for _, share in shares]
    parts: list[str] = []
    length = 0
    while length < size:
        text = r.choice(pools[r.choices(names, weights)[0]])
        parts.append(text)
        length += len(text) + 2
    out = "\n\n".join(parts)
    return out[:size]


def corpus(count: dict[str, int], seed: int = 11) -> dict[str, list[str]]:
    """`count[label]` prompts of each size in SIZES, the same for every run."""
    pools = _pools(seed)
    r = random.Random(seed)
    return {label: [prompt(SIZES[label], r, pools) for _ in range(n)] for label, n in count.items()}


def pool_prompts(size: int, count: int, seed: int = 11) -> dict[str, list[str]]:
    """`count` prompts of `size` characters from each pool alone: what a prompt costs
    by its content (prose, records with numbers, personal data)."""
    pools = _pools(seed)
    r = random.Random(seed)
    return {
        name: [prompt(size, r, pools, ((name, 1.0),)) for _ in range(count)] for name, _ in SHARES
    }
