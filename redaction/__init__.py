"""Redaction: placeholders instead of detected values in requests, the originals back in answers."""
