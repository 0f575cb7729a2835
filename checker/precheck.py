"""The gateway's pre-check: could a worker find anything in these texts?

Runs in the gateway process, so it imports neither Presidio nor spaCy (the trigger tables
come from checker/triggers.py): a prompt without any trigger is answered here instead of
by a worker, and the gateway stays small (tests/checker/test_light_imports.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from checker.config import ScanConfig
from checker.normalize.pipeline import normalize
from checker.prefilter import Prefilter
from checker.seams import build as build_seams
from checker.spacy_models import installed_model
from checker.triggers import config_triggers


def light_prefilter(config: ScanConfig) -> Prefilter | None:
    """The scanner's prefilter without its engine (no recognizer, no Presidio or spaCy
    import, milliseconds to build): the gateway answers a prompt without any trigger
    itself instead of sending it to a worker process. None when a Scanner would scan
    everything: prefilter off, or a real spaCy model installed (its NER finds names
    anywhere). It looks at the normalised text, as the scanner does
    (NormalizingPrefilter): ``max [at] firma [dot] de`` has no trigger before
    normalisation."""
    if not config.prefilter or any(installed_model(lang) for lang in config.languages):
        return None
    return NormalizingPrefilter(config_triggers(config))


class NormalizingPrefilter(Prefilter):
    """A Prefilter that first normalises what it is given (for callers that hold the
    original texts, like the gateway's precheck)."""

    def hits(self, text: str) -> list[tuple[int, int]]:
        return super().hits(normalize(text).text)

    def windows(self, text: str) -> list[tuple[int, int]]:
        """Non-empty exactly when the scanner's windows of the normalised text are
        (the spans are the normalised text's: for a yes/no answer only)."""
        return super().windows(normalize(text).text)


def any_trigger(prefilter: Prefilter, texts: Sequence[str]) -> bool:
    """Could the scanner find anything in `texts`? The gateway's precheck question,
    answered as Scanner.scan would see the texts: normalised, and with the seams
    between parts (a value split into parts that have no trigger alone, "D" "E" "8"
    "9" …). `prefilter` is the scanner's own (Scanner.prefilter or light_prefilter's)."""
    base = Prefilter.windows
    views = [normalize(text).text for text in texts]
    if any(view.strip() and base(prefilter, view) for view in views):
        return True
    seams = build_seams(views) if len(views) > 1 else None
    return seams is not None and bool(base(prefilter, normalize(seams.text).text))
