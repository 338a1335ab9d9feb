"""Raw SOAP to the CIS stand-in: the shared MultiSpeak wire, signed as the CIS tests."""

from __future__ import annotations

from tests.simulators.multispeak_wire import MultiSpeakWire, SoapAnswer, child, children, text

__all__ = ["CbWire", "SoapAnswer", "child", "children", "text"]


class CbWire(MultiSpeakWire):
    app_name = "cis-tests"
