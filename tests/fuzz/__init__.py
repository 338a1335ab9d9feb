"""Fuzzing the whole app: see test_root_fields.py."""
