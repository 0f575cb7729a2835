"""Findings store: privacy-safe decision and finding rows in SQLite."""
