import copy
import pickle
import threading

import pytest

from redaction.memory import (
    PlaceholderMap,
    RedactionMemory,
    is_placeholder,
    label_for,
    normalize_value,
)


def test_labels_are_short_and_unknown_types_are_sanitised() -> None:
    assert label_for("IBAN_CODE") == "IBAN"
    assert label_for("EMAIL_ADDRESS") == "EMAIL"
    assert label_for("PHONE_NUMBER") == "PHONE"
    assert label_for("STREET_ADDRESS") == "ADDRESS"
    assert label_for("DE_KFZ") == "LICENSE_PLATE"
    assert label_for("my-custom type") == "MY_CUSTOM_TYPE"
    assert label_for("<>") == "PII"
    assert label_for("1ABC") == "PII"


def test_same_value_same_placeholder_and_numbers_per_label() -> None:
    mapping = PlaceholderMap()
    assert mapping.placeholder_for("PERSON", "Max Mustermann") == "<PERSON_1>"
    assert mapping.placeholder_for("IBAN_CODE", "DE89 3704 0044 0532 0130 00") == "<IBAN_1>"
    assert mapping.placeholder_for("PERSON", "Erika Musterfrau") == "<PERSON_2>"
    assert mapping.placeholder_for("PERSON", "max  MUSTERMANN") == "<PERSON_1>"
    assert mapping.placeholder_for("IBAN_CODE", "de89370400440532013000") == "<IBAN_1>"
    # the original is the spelling first seen
    assert mapping.original("<IBAN_1>") == "DE89 3704 0044 0532 0130 00"
    assert mapping.original("<IBAN_9>") is None


def test_normalisation() -> None:
    assert normalize_value("PHONE", "+49 (30) 123-45") == normalize_value("PHONE", "+493012345")
    assert normalize_value("SECRET", "AbC") != normalize_value("SECRET", "abc")
    assert normalize_value("PERSON", " Max\n Mustermann ") == "max mustermann"
    assert is_placeholder("<PERSON_12>") and not is_placeholder("<person_1>")


def test_entries_are_bounded_lru_and_numbers_never_reused() -> None:
    mapping = PlaceholderMap(max_entries=2)
    mapping.placeholder_for("PERSON", "A")
    mapping.placeholder_for("PERSON", "B")
    mapping.placeholder_for("PERSON", "A")  # A is now the most recent
    assert mapping.placeholder_for("PERSON", "C") == "<PERSON_3>"
    assert mapping.original("<PERSON_2>") is None  # B evicted
    assert mapping.original("<PERSON_1>") == "A"
    assert mapping.placeholder_for("PERSON", "B") == "<PERSON_4>"
    assert len(mapping) == 2


def test_repr_and_persistence_never_show_values() -> None:
    memory = RedactionMemory()
    mapping = memory.get(("user-1", "openai", "default"))
    mapping.placeholder_for("PERSON", "Max Mustermann")
    assert "Max" not in repr(mapping) and "user-1" not in repr(memory)
    with pytest.raises(TypeError):
        pickle.dumps(mapping)
    with pytest.raises(TypeError):
        pickle.dumps(memory)
    assert copy.deepcopy({"m": mapping})["m"] is mapping  # flow metadata copies share it


def test_memory_per_conversation_with_expiry() -> None:
    now = [1000.0]
    memory = RedactionMemory(ttl=60, clock=lambda: now[0])
    one = memory.get(("u", "svc", "c1"))
    one.placeholder_for("PERSON", "Max")
    assert memory.get(("u", "svc", "c2")) is not one
    now[0] += 59
    assert memory.get(("u", "svc", "c1")) is one  # a use renews the expiry
    now[0] += 59
    assert memory.peek(("u", "svc", "c1")) is one
    assert memory.purge_expired() == 1  # c2, unused for 118 s
    now[0] += 60
    assert memory.peek(("u", "svc", "c1")) is None
    fresh = memory.get(("u", "svc", "c1"))
    assert fresh is not one and len(fresh) == 0
    assert memory.purge_expired(now[0] + 3600) == 1
    assert len(memory) == 0


def test_memory_bounds_conversations_lru() -> None:
    memory = RedactionMemory(max_conversations=2, clock=lambda: 0.0)
    a = memory.get("a")
    memory.get("b")
    memory.get("a")
    memory.get("c")  # evicts b, the least recently used
    assert memory.peek("b") is None
    assert memory.peek("a") is a
    assert len(memory) == 2


def test_thread_safe_assignment() -> None:
    memory = RedactionMemory()
    results: list[str] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        mapping = memory.get("conv")
        for i in range(200):
            placeholder = mapping.placeholder_for("PERSON", f"name {i % 50}")
            with lock:
                results.append(f"{i % 50}={placeholder}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # every value got exactly one placeholder, and there are exactly 50 of them
    pairs = set(results)
    assert len(pairs) == 50
    assert len({p.split("=")[1] for p in pairs}) == 50
