"""Every port method, called through its wrapper, reaches the adapter once and is counted once."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from adapters.cis.port import CisPort
from adapters.meters.port import MeterDataPort
from adapters.oms.port import OmsPort
from gateway.core.backends import Adapters
from gateway.core.instrumented import instrument
from gateway.core.metrics import GatewayMetrics

PORTS: dict[str, type] = {"cis": CisPort, "oms": OmsPort, "meters": MeterDataPort}


class Boom(Exception):
    pass


class RecordingAdapter:
    """Answers any method; remembers each call as (name, arguments bound to the port)."""

    def __init__(self, port: type, *, fail: bool = False) -> None:
        self.port = port
        self.fail = fail
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        signature = inspect.signature(getattr(self.port, name))

        async def method(*args: Any, **kwargs: Any) -> str:
            bound = signature.bind(self, *args, **kwargs).arguments
            bound.pop("self")
            self.calls.append((name, dict(bound)))
            if self.fail:
                raise Boom(name)
            return f"answer of {name}"

        return method


def port_methods(port: type) -> list[str]:
    return sorted(
        name
        for name, member in vars(port).items()
        if inspect.iscoroutinefunction(member) and name != "aclose"
    )


def sample_call(port: type, name: str) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Arguments giving each parameter its own value, and the parameters they bind to."""
    args: list[str] = []
    kwargs: dict[str, str] = {}
    bound: dict[str, str] = {}
    for parameter in list(inspect.signature(getattr(port, name)).parameters.values())[1:]:
        value = bound[parameter.name] = f"<{parameter.name}>"
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[parameter.name] = value
        else:
            args.append(value)
    return args, kwargs, bound


def wrapped(metrics: GatewayMetrics, *, fail: bool = False) -> tuple[Adapters, Adapters]:
    inner = Adapters(
        cis=RecordingAdapter(CisPort, fail=fail),
        oms=RecordingAdapter(OmsPort, fail=fail),
        meters=RecordingAdapter(MeterDataPort, fail=fail),
    )
    return inner, instrument(inner, metrics)


def calls(metrics: GatewayMetrics, system: str, operation: str) -> float | None:
    labels = {"system": system, "operation": operation}
    return metrics.registry.get_sample_value("gateway_backend_calls_total", labels)


def timed(metrics: GatewayMetrics, system: str, operation: str) -> float | None:
    labels = {"system": system, "operation": operation}
    return metrics.registry.get_sample_value("gateway_backend_call_duration_seconds_count", labels)


CASES = [(system, name) for system, port in PORTS.items() for name in port_methods(port)]


@pytest.mark.parametrize(("system", "name"), CASES)
async def test_a_call_reaches_the_adapter_once_with_its_arguments_and_is_counted(
    system: str, name: str
) -> None:
    metrics = GatewayMetrics()
    inner, outer = wrapped(metrics)
    args, kwargs, bound = sample_call(PORTS[system], name)

    answer = await getattr(getattr(outer, system), name)(*args, **kwargs)

    returns_nothing = inspect.signature(getattr(PORTS[system], name)).return_annotation == "None"
    assert answer == (None if returns_nothing else f"answer of {name}")
    recorder: RecordingAdapter = getattr(inner, system)
    assert recorder.calls == [(name, bound)]
    assert calls(metrics, system, name) == 1.0
    assert timed(metrics, system, name) == 1.0


@pytest.mark.parametrize(("system", "name"), CASES[:1] + CASES[-1:])
async def test_a_failed_call_is_counted_too(system: str, name: str) -> None:
    metrics = GatewayMetrics()
    _, outer = wrapped(metrics, fail=True)
    args, kwargs, _ = sample_call(PORTS[system], name)
    with pytest.raises(Boom):
        await getattr(getattr(outer, system), name)(*args, **kwargs)
    assert calls(metrics, system, name) == 1.0


async def test_closing_is_passed_on_and_not_counted() -> None:
    metrics = GatewayMetrics()
    inner, outer = wrapped(metrics)
    await outer.aclose()
    for system in PORTS:
        recorder: RecordingAdapter = getattr(inner, system)
        assert recorder.calls == [("aclose", {})]
    assert b"gateway_backend_calls_total{" not in metrics.render()
