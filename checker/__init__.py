"""Detection engine: Presidio, offline, with German-first recognizers."""
