"""The fixed tune / held-out split of the generated corpus by template family.

Every template in ``corpus.py`` names its family (one template shape). A fixed third of
the families (11 of 34 with personal data, 7 of 21 clean) is held out: recognizer work
may look at misses on the other families ("tune") only, and `leitplanke eval` reports the
held-out families separately. Chosen so that every entity type and both languages occur
in both parts (tests/checker/test_freeform_corpus.py checks it). The recognizers up to
issue 15 were developed against all families, so the held-out score only becomes blind
from then on; the free-form corpus (``freeform.py``) is the independent yardstick.
"""

from __future__ import annotations

from checker.evaluation.samples import Sample

TUNE = "tune"
HELD_OUT = "held_out"
HELD_OUT_FAMILIES: frozenset[str] = frozenset(
    {
        "portal_access_contact",
        "sick_leave_note",
        "security_check_documents",
        "craftsman_invoice",
        "crm_contacts_csv",
        "dotenv_staging",
        "billing_check",
        "call_summary_bank",
        "dunning_letter",
        "en_hr_onboarding",
        "en_ci_token",
        # clean
        "invoice_terms",
        "meeting_room",
        "maintenance_log",
        "sales_table",
        "certificate_check",
        "en_release",
        "en_vlan_question",
    }
)


def split_of(sample: Sample) -> str:
    """TUNE or HELD_OUT for a generated text (by its template family)."""
    return HELD_OUT if sample.family in HELD_OUT_FAMILIES else TUNE
