"""The decision pipeline around policy/decide.py: one prompt checked and decided, and the
coaching allowances that let a justified "warn" pass."""
