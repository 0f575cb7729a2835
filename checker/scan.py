"""Scan texts for the policy's data classes.

A text is normalised first (checker/normalize: encodings decoded, invisible characters
removed, look-alike characters folded …); the prefilter and Presidio work on the
normalised text and every finding is mapped back to offsets into the text as given.
Scanning the parts of one request also looks at the seams between them (checker/seams)
for values split across parts.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerResult

from checker.config import ScanConfig
from checker.engine import (
    PATTERN_RECOGNIZER_PREFIX,
    TERM_RECOGNIZER_PREFIX,
    build_analyzer,
    build_prefilter,
)
from checker.findings import Finding
from checker.language import detect_language
from checker.normalize.offsets import Normalized
from checker.normalize.pipeline import normalize
from checker.prefilter import Prefilter
from checker.seams import SEAM, Seams
from checker.seams import build as build_seams
from checker.triggers import wanted_entities

log = logging.getLogger(__name__)

# spaCy refuses texts over nlp.max_length (1,000,000 chars) and Presidio's cost grows
# with length, so long texts are scanned in overlapping windows. The overlap is
# larger than any single entity we detect (a PEM private key block is the longest).
WINDOW = 100_000
OVERLAP = 8_000
# Between two windows of one text in a joined analysis: a blank line ends tables and
# sentences, "…" is no word, no name and no line a closing formula could start.
_EDGE_LINE = "…\n"  # before a window that starts a line, after one that ends a line
_EDGE_MID = "… "  # the same for a window that starts or ends mid-line
_JOIN = "\n\n"
# A prefilter hit this close to a part boundary makes the seam around it worth
# analysing (a value split there has a trigger near the cut: digits, "@", a cue).
_NEAR_BOUNDARY = 48


class Scanner:
    def __init__(self, config: ScanConfig, analyzer: AnalyzerEngine | None = None) -> None:
        self.config = config
        self.analyzer = analyzer or build_analyzer(config)
        self._class_of = config.class_of_entity()
        wanted = wanted_entities(config)
        supported = set(self.analyzer.get_supported_entities(config.languages[0]))
        self.undetected = sorted(wanted - supported)
        if self.undetected:
            # Said once here instead of by Presidio on every analyze() call.
            log.warning("no recognizer yet for policy entity types: %s", ", ".join(self.undetected))
        self._entities = sorted(wanted & supported)
        self._threshold = min((r.min_score for r in config.classes.values()), default=0.5)
        self.prefilter = (
            _prefilter(self.analyzer.registry.recognizers, set(self._entities))
            if config.prefilter
            else None
        )

    def scan(self, texts: Sequence[str]) -> list[Finding]:
        """Findings in each part, and values that continue from one part into the
        next (see checker/seams.py and Finding.split_across)."""
        views = [normalize(text) for text in texts]
        findings: list[Finding] = []
        for part, view in enumerate(views):
            findings.extend(self._scan_view(view, part))
        if len(views) > 1 and self._entities:
            findings.extend(_not_glued(self._split_values(views), findings))
        return _drop_contained(_dedupe(findings))

    def scan_text(self, text: str, part: int = 0) -> list[Finding]:
        return self._scan_view(normalize(text), part)

    def _scan_view(self, view: Normalized, part: int) -> list[Finding]:
        """Scan the normalised text; findings carry offsets into the original."""
        text = view.text
        if not text.strip() or not self._entities:
            return []
        spans = [(0, len(text))] if self.prefilter is None else self.prefilter.windows(text)
        findings = []
        for r in self._analyze(text, spans):
            start, end = view.to_original(r.start, r.end)
            finding = self._finding(r, start, end, part, text[r.start : r.end])
            if finding is not None:
                findings.append(finding)
        return _drop_contained(_dedupe(findings))

    def _analyze(self, text: str, spans: list[tuple[int, int]]) -> list[RecognizerResult]:
        """Presidio's results for the windows `spans` of `text`, in `text`'s offsets."""
        if not spans:
            return []  # nothing any recognizer could start from
        language = detect_language(text, default=self.config.languages[0])
        if language not in self.config.languages:
            language = self.config.languages[0]
        results: list[RecognizerResult] = []
        for segment in _segments(text, spans):
            for r in self.analyzer.analyze(
                segment.text,
                language=language,
                entities=self._entities,
                score_threshold=self._threshold,
                # Always: the explanation is built anyway (Presidio only drops it
                # otherwise), and the findings store keeps recognizer, context word
                # and score so the DPO sees why something was flagged.
                return_decision_process=True,
            ):
                if segment.to_original(r):
                    results.append(r)
        return results

    def _split_values(self, views: list[Normalized]) -> list[Finding]:
        """Values that cross a part boundary, one Finding per part they touch."""
        seams = build_seams([view.text for view in views])
        if seams is None:
            return []
        view = normalize(seams.text)  # joins what only the joined text shows ("D E" + " 8 9…")
        text = view.text
        findings: list[Finding] = []
        for r in self._analyze(text, self._seam_windows(seams, view)):
            start, end = view.to_original(r.start, r.end)
            pieces = seams.crosses(start, end) and seams.split(start, end)
            if not pieces:
                continue
            parts = tuple(part for part, _, _ in pieces)
            value = text[r.start : r.end]
            for part, piece_start, piece_end in pieces:
                if piece_end <= piece_start:
                    continue
                original = views[part].to_original(piece_start, piece_end)
                finding = self._finding(r, *original, part, value, split_across=parts)
                if finding is not None:
                    findings.append(finding)
        return findings

    def _seam_windows(self, seams: Seams, view: Normalized) -> list[tuple[int, int]]:
        """Windows of the normalised seam text around prefilter hits near a boundary."""
        text = view.text
        if self.prefilter is None:
            return [(0, len(text))] if text.strip() else []
        windows = [
            (max(0, start - SEAM), min(len(text), end + SEAM))
            for start, end in self.prefilter.hits(text)
            if seams.near(*view.to_original(start, end), _NEAR_BOUNDARY)
        ]
        merged: list[tuple[int, int]] = []
        for start, end in sorted(windows):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    def _finding(
        self,
        result: RecognizerResult,
        start: int,
        end: int,
        part: int,
        value: str,
        split_across: tuple[int, ...] = (),
    ) -> Finding | None:
        data_class = self._data_class(result)
        if data_class is None or result.score < self.config.classes[data_class].min_score:
            return None
        return Finding(
            entity_type=result.entity_type,
            data_class=data_class,
            start=start,
            end=end,
            score=float(result.score),
            part=part,
            value=value,
            explanation=_explanation(result),
            split_across=split_across,
        )

    def _data_class(self, result: RecognizerResult) -> str | None:
        recognizer = (result.recognition_metadata or {}).get("recognizer_name", "")
        for prefix in (TERM_RECOGNIZER_PREFIX, PATTERN_RECOGNIZER_PREFIX):
            if recognizer.startswith(prefix):
                return recognizer.removeprefix(prefix)
        return self._class_of.get(result.entity_type)


def _prefilter(recognizers: Iterable[EntityRecognizer], entities: set[str]) -> Prefilter | None:
    used = [r for r in recognizers if set(r.supported_entities) & entities]
    return build_prefilter(used)


class _Segment:
    """One text handed to the analyzer: windows of the original joined with edge marks,
    and the way back from its offsets to the original's."""

    def __init__(self, text: str, starts: list[int], origins: list[int], ends: list[int]) -> None:
        self.text = text
        self._starts = starts  # where each window's characters begin in self.text
        self._origins = origins  # ... and in the original text
        self._ends = ends  # where they end in self.text

    def to_original(self, result: RecognizerResult) -> bool:
        """Move `result` to original offsets; False if it crosses a window edge."""
        i = bisect.bisect_right(self._starts, result.start) - 1
        if i < 0 or result.end > self._ends[i]:
            return False
        shift = self._origins[i] - self._starts[i]
        result.start += shift
        result.end += shift
        return True


def _segments(text: str, spans: list[tuple[int, int]]) -> list[_Segment]:
    """Windows to analyse, joined into texts of at most WINDOW characters; a window
    longer than that (or the whole text) goes in overlapping WINDOW-sized pieces."""
    segments: list[_Segment] = []
    parts: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    ends: list[int] = []
    size = 0

    def flush() -> None:
        nonlocal parts, starts, origins, ends, size
        if parts:
            segments.append(_Segment("".join(parts), starts, origins, ends))
        parts, starts, origins, ends, size = [], [], [], [], 0

    for start, end in spans:
        if end - start > WINDOW // 2:
            for offset, window in _windows(text[start:end]):
                w_start = start + offset
                segments.append(_Segment(window, [0], [w_start], [len(window)]))
            continue
        lead = "" if start == 0 else (_EDGE_LINE if text[start - 1] == "\n" else _EDGE_MID)
        trail = "" if end >= len(text) else ("\n…" if text[end] in "\r\n" else " …")
        piece = (_JOIN if parts else "") + lead
        if size + len(piece) + (end - start) + len(trail) > WINDOW:
            flush()
            piece = lead
        starts.append(size + len(piece))
        origins.append(start)
        ends.append(size + len(piece) + end - start)
        parts += [piece, text[start:end], trail]
        size += len(piece) + end - start + len(trail)
    flush()
    return segments


def _windows(text: str) -> list[tuple[int, str]]:
    if len(text) <= WINDOW:
        return [(0, text)]
    step = WINDOW - OVERLAP
    return [(start, text[start : start + WINDOW]) for start in range(0, len(text) - OVERLAP, step)]


def _not_glued(split: list[Finding], whole: list[Finding]) -> list[Finding]:
    """The split values that are more than a whole value with a neighbour glued on.

    The seam text joins parts directly, so a part ending in letters runs into an e-mail
    address at the start of the next ("content" + "erika@…" reads "contenterika@…"): a
    "split" value whose piece in one part is already a whole finding of the same type
    there adds only the neighbour's characters, and redacting would rewrite that
    unrelated neighbour (a message's role, a field name). Such seam findings are
    dropped; the whole finding stays. (A real split whose one piece is itself a whole
    value of its type — "erika.muster" + "mann@firma.de" — is then reported by that
    piece alone: the request is blocked or that piece redacted all the same.)
    """
    covered: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for f in whole:
        covered.setdefault((f.part, f.entity_type), []).append((f.start, f.end))

    def inside(piece: Finding) -> bool:
        spans = covered.get((piece.part, piece.entity_type), [])
        return any(start <= piece.start and piece.end <= end for start, end in spans)

    glued = {(f.entity_type, f.split_across, f.value) for f in split if inside(f)}
    return [f for f in split if (f.entity_type, f.split_across, f.value) not in glued]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Windows overlap, so the same span can be found twice; keep the best score."""
    best: dict[tuple[str, int, int, int], Finding] = {}
    for f in findings:
        key = (f.entity_type, f.part, f.start, f.end)
        if key not in best or f.score > best[key].score:
            best[key] = f
    # A piece of a split value comes first among equal spans: it may contain the rest.
    return sorted(best.values(), key=lambda f: (f.part, f.start, -f.end, not f.split_across))


def _drop_contained(findings: list[Finding]) -> list[Finding]:
    """Drop a finding that lies inside another, stronger finding of another type.

    A phone-number or tax-id shape inside an IBAN is the IBAN, not a second finding;
    the same holds in a part's piece of an IBAN split across parts ("0532 0130 00" at
    the start of a message is the IBAN's end), even where the piece is no longer.
    """
    kept: list[Finding] = []
    open_: list[Finding] = []  # earlier findings that may still contain later ones
    for f in findings:  # sorted by (part, start, -end, split pieces first)
        open_ = [o for o in open_ if o.part == f.part and o.end > f.start]
        inside = any(
            o.entity_type != f.entity_type
            and f.end <= o.end
            and (
                (o.end - o.start) > (f.end - f.start)
                or (bool(o.split_across) and not f.split_across)
            )
            and o.score >= f.score
            for o in open_
        )
        if not inside:
            kept.append(f)
        open_.append(f)
    return kept


def _explanation(result: RecognizerResult) -> dict[str, Any] | None:
    """Presidio's decision process for one result, in a stable, value-free shape."""
    exp = result.analysis_explanation
    if exp is None:
        return None
    validation = exp.validation_result
    return {
        "recognizer": exp.recognizer,
        "pattern_name": exp.pattern_name,
        "pattern": exp.pattern,
        "original_score": round(float(exp.original_score), 4),
        "context_word": exp.supportive_context_word or None,
        "context_improvement": round(float(exp.score_context_improvement), 4),
        "checksum": None if validation is None else ("valid" if validation else "invalid"),
    }
