"""The error shapes every adapter shares, so the gateway can treat backends alike.

Each adapter subclasses these in its own `port.py` (`CisUnavailable`, ...): callers
catch the adapter's classes when they care which system failed, and these bases when
they do not. Messages never carry credentials, URLs with secrets or raw payloads.
"""

from __future__ import annotations


class AdapterError(Exception):
    """Base of every error an adapter raises; nothing else may escape a port."""

    system: str = "backend"


class BackendUnavailable(AdapterError):
    """The system could not be reached or did not answer in time (retry later)."""


class NotFound(AdapterError):
    """The system answered, and the thing asked for does not exist."""


class BackendFault(AdapterError):
    """The system answered with an error (a SOAP Fault, a constraint violation)."""
