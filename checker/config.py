"""What a scanner needs from the policy, in a small picklable form for worker processes."""

from __future__ import annotations

from dataclasses import dataclass

from policy.entities import class_of_entity
from policy.model import Policy


@dataclass(frozen=True)
class PatternSpec:
    regex: str
    validator: str | None
    score: float


@dataclass(frozen=True)
class ClassRules:
    entities: tuple[str, ...]
    terms: tuple[str, ...]
    patterns: tuple[PatternSpec, ...]
    min_score: float


@dataclass(frozen=True)
class ScanConfig:
    classes: dict[str, ClassRules]
    # Pipelines to build; a text is analysed with the one detect_language() picks.
    languages: tuple[str, ...] = ("de", "en")
    # Analyse only the windows around trigger hits (checker/prefilter.py); False scans
    # every character (the reference the prefilter is tested against).
    prefilter: bool = True
    # Load only the lemmas that can change a context match (nlp_engine.needed_lemmas);
    # False loads spacy-lookups-data's whole table (the reference it is tested against).
    lean_lemmas: bool = True

    @classmethod
    def from_policy(cls, policy: Policy) -> ScanConfig:
        return cls(
            classes={
                name: ClassRules(
                    dc.entities,
                    dc.terms,
                    tuple(PatternSpec(p.regex, p.validator, p.score) for p in dc.patterns),
                    dc.min_score,
                )
                for name, dc in policy.data_classes.items()
            }
        )

    def class_of_entity(self) -> dict[str, str]:
        return class_of_entity(self.classes)

    def entities(self) -> set[str]:
        return set(self.class_of_entity())
