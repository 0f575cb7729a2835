"""Normalisation in front of the recognizers: what a reader sees, a regex sees too.

``normalize(text)`` (checker/normalize/pipeline.py) returns the text the prefilter and
the recognizers work on and the way back from its offsets to the text as given
(``Normalized.to_original``), so redaction replaces and masking shows exactly the
original characters. One module per transformation; pipeline.py says which run, in
which order.
"""
