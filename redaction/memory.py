"""Which placeholder stands for which value: kept in RAM only, per conversation.

Redaction (issue 6) replaces detected values with placeholders such as `<PERSON_1>`
before a prompt leaves the gateway and puts the originals back into the answer. The
mapping between the two is the most sensitive thing the gateway holds, so:

- it lives in process memory only: nothing here writes to disk, to a log or to the
  findings store; `repr()` shows counts, never a value or a conversation key, and the
  objects refuse to be pickled (so a flow dump or a cache cannot carry them away);
- each conversation (the caller's key, e.g. (user pseudonym, service id, conversation
  id or "default")) gets its own PlaceholderMap, which expires `ttl` seconds (default
  30 minutes) after its last use;
- both levels are bounded, least recently used first out: `max_conversations` maps
  (default 2000) and `max_entries` values per map (default 500). An evicted value's
  placeholder is never handed out again (numbers only grow), so a stale placeholder can
  at worst stay unrestored, never be restored to the wrong value.

Numbering is per conversation and per label and stable: the same value (normalised,
see `normalize_value`) always gets the same placeholder within a conversation, so a
multi-turn chat stays coherent for the model and for the user.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import NoReturn

DEFAULT_TTL = 30 * 60.0
DEFAULT_MAX_CONVERSATIONS = 2000
DEFAULT_MAX_ENTRIES = 500

# Short placeholder labels for the entity types the checker emits (policy/entities.py)
# and the ones Presidio's NER adds. Anything else is upper-cased and stripped to
# [A-Z0-9_] (at most 24 characters), or "PII" if nothing is left.
LABELS: dict[str, str] = {
    "PERSON": "PERSON",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "IBAN_CODE": "IBAN",
    "CREDIT_CARD": "CARD",
    "IP_ADDRESS": "IP",
    "STREET_ADDRESS": "ADDRESS",
    "DATE_OF_BIRTH": "BIRTHDATE",
    "DE_TAX_ID": "TAX_ID",
    "DE_SOCIAL_SECURITY": "SOCIAL_SECURITY",
    "DE_ID_CARD": "ID_CARD",
    "DE_PASSPORT": "PASSPORT",
    "DE_HEALTH_INSURANCE": "HEALTH_INSURANCE",
    "DE_VAT_ID": "VAT_ID",
    "DE_KFZ": "LICENSE_PLATE",
    "DE_TAX_NUMBER": "TAX_NUMBER",
    "DE_DRIVERS_LICENSE": "DRIVERS_LICENSE",
    "DE_LANR": "DOCTOR_NUMBER",
    "HEALTH_DATA": "HEALTH",
    "SECRET": "SECRET",
    "CUSTOM_TERM": "TERM",
    "CUSTOM_PATTERN": "CUSTOM",
    "LOCATION": "LOCATION",
    "URL": "URL",
}
_MAX_LABEL = 24

# What a placeholder looks like: <LABEL_N>. Labels never contain "<" or ">".
PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_[0-9]+>")

# Identifiers that are written with or without spaces, dashes, dots or brackets
# ("DE89 3704 0044…" = "de8937040044…", "+49 (30) 123-45" = "+4930 12345").
_COMPACT_LABELS = frozenset(
    {
        "IBAN",
        "CARD",
        "PHONE",
        "TAX_ID",
        "SOCIAL_SECURITY",
        "ID_CARD",
        "PASSPORT",
        "HEALTH_INSURANCE",
        "VAT_ID",
        "LICENSE_PLATE",
        "TAX_NUMBER",
        "DRIVERS_LICENSE",
        "DOCTOR_NUMBER",
    }
)
_COMPACT_DROP = re.compile(r"[\s\-./()]+")
_CASE_SENSITIVE_LABELS = frozenset({"SECRET"})  # tokens differ by case alone
_SPACES = re.compile(r"\s+")


def label_for(entity_type: str) -> str:
    """The short placeholder label of a checker entity type (see LABELS)."""
    known = LABELS.get(entity_type)
    if known is not None:
        return known
    cleaned = re.sub(r"[^A-Z0-9_]+", "_", entity_type.upper()).strip("_")[:_MAX_LABEL]
    cleaned = cleaned.strip("_")
    if not cleaned or not cleaned[0].isalpha():
        return "PII"
    return cleaned


def normalize_value(label: str, value: str) -> str:
    """The form two spellings of one value share; it decides placeholder reuse."""
    if label in _COMPACT_LABELS:
        return _COMPACT_DROP.sub("", value).casefold()
    collapsed = _SPACES.sub(" ", value).strip()
    return collapsed if label in _CASE_SENSITIVE_LABELS else collapsed.casefold()


def is_placeholder(text: str) -> bool:
    return PLACEHOLDER.fullmatch(text.strip()) is not None


class _NoPersistence:
    """Refuse pickling; share instead of copying (mitmproxy deep-copies flow metadata)."""

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError(f"{type(self).__name__} is kept in memory only")

    def __copy__(self) -> _NoPersistence:
        return self

    def __deepcopy__(self, memo: object) -> _NoPersistence:
        return self


class PlaceholderMap(_NoPersistence):
    """One conversation's value ↔ placeholder mapping (thread-safe, RAM only)."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._max_entries = max_entries
        self._lock = threading.Lock()
        # normalised value -> placeholder, in least-recently-used-first order
        self._by_value: OrderedDict[str, str] = OrderedDict()
        # placeholder -> (normalised value, original as first seen)
        self._by_placeholder: dict[str, tuple[str, str]] = {}
        self._counters: dict[str, int] = {}
        self._version = 0

    def __repr__(self) -> str:
        return f"PlaceholderMap({len(self)} entries)"

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_placeholder)

    @property
    def version(self) -> int:
        """Grows whenever a placeholder is added or evicted (lets readers cache)."""
        return self._version

    def placeholder_for(self, entity_type: str, value: str) -> str:
        """The placeholder for value: the one it already has, else the label's next."""
        label = label_for(entity_type)
        key = normalize_value(label, value)
        with self._lock:
            existing = self._by_value.get(key)
            if existing is not None:
                self._by_value.move_to_end(key)
                return existing
            number = self._counters.get(label, 0) + 1
            self._counters[label] = number
            placeholder = f"<{label}_{number}>"
            self._by_value[key] = placeholder
            self._by_placeholder[placeholder] = (key, value)
            while len(self._by_value) > self._max_entries:
                _, evicted = self._by_value.popitem(last=False)
                del self._by_placeholder[evicted]
            self._version += 1
            return placeholder

    def original(self, placeholder: str) -> str | None:
        """The value a placeholder stands for (as first seen), or None if unknown."""
        with self._lock:
            entry = self._by_placeholder.get(placeholder)
            return None if entry is None else entry[1]

    def snapshot(self) -> dict[str, str]:
        """placeholder -> original, a copy for restoring one response."""
        with self._lock:
            return {p: original for p, (_, original) in self._by_placeholder.items()}


class _Slot:
    __slots__ = ("last_used", "mapping")

    def __init__(self, mapping: PlaceholderMap, now: float) -> None:
        self.mapping = mapping
        self.last_used = now


class RedactionMemory(_NoPersistence):
    """PlaceholderMaps per conversation key, with expiry and LRU bounds (thread-safe)."""

    def __init__(
        self,
        ttl: float = DEFAULT_TTL,
        max_conversations: int = DEFAULT_MAX_CONVERSATIONS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl <= 0 or max_conversations < 1 or max_entries < 1:
            raise ValueError("ttl, max_conversations and max_entries must be positive")
        self.ttl = ttl
        self.max_conversations = max_conversations
        self.max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._slots: OrderedDict[Hashable, _Slot] = OrderedDict()  # oldest use first

    def __repr__(self) -> str:
        return f"RedactionMemory({len(self)} conversations)"

    def __len__(self) -> int:
        with self._lock:
            return len(self._slots)

    def get(self, key: Hashable, now: float | None = None) -> PlaceholderMap:
        """The conversation's map (a fresh one if none or expired); counts as a use."""
        now = self._clock() if now is None else now
        with self._lock:
            self._purge_locked(now)
            slot = self._slots.get(key)
            if slot is None:
                slot = _Slot(PlaceholderMap(self.max_entries), now)
                self._slots[key] = slot
                while len(self._slots) > self.max_conversations:
                    self._slots.popitem(last=False)
            else:
                slot.last_used = now
                self._slots.move_to_end(key)
            return slot.mapping

    def peek(self, key: Hashable, now: float | None = None) -> PlaceholderMap | None:
        """The conversation's live map without creating one or counting as a use."""
        now = self._clock() if now is None else now
        with self._lock:
            slot = self._slots.get(key)
            if slot is None or now - slot.last_used >= self.ttl:
                return None
            return slot.mapping

    def purge_expired(self, now: float | None = None) -> int:
        """Drop every map unused for `ttl` seconds; returns how many were dropped."""
        now = self._clock() if now is None else now
        with self._lock:
            return self._purge_locked(now)

    def clear(self) -> None:
        with self._lock:
            self._slots.clear()

    def _purge_locked(self, now: float) -> int:
        # Ordered by last use, so the expired ones are at the front.
        dropped = 0
        while self._slots:
            key, slot = next(iter(self._slots.items()))
            if now - slot.last_used < self.ttl:
                break
            del self._slots[key]
            dropped += 1
        return dropped
