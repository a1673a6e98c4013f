"""Attacks that fail: schema fuzzing, input fuzzing, IDOR and injection, in ``make test``."""
