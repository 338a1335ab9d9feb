"""Raw SOAP to the OMS stand-in: the shared MultiSpeak wire, signed as the OMS tests."""

from __future__ import annotations

from tests.simulators.multispeak_wire import MultiSpeakWire, SoapAnswer, child, children, text

__all__ = ["OaWire", "SoapAnswer", "child", "children", "text"]


class OaWire(MultiSpeakWire):
    app_name = "oms-tests"
