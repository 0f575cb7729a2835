"""Labeled test corpus and span-level evaluation of the checker (`leitplanke eval`)."""
