"""Each backend's timeout, and the breaker and retry rules, as bootstrap reads them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BackendPolicies:
    """Defaults match the settings' (`gateway.settings`), where they are explained."""

    cis_timeout_s: float = 3.0
    oms_timeout_s: float = 2.0
    meters_timeout_s: float = 3.0
    payments_timeout_s: float = 10.5  # the adapter's 10 s and a grace (bootstrap)
    failure_threshold: int = 5
    cool_down_s: float = 5.0
    retry_jitter_s: float = 0.1

    def timeout_s(self, system: str) -> float:
        return {
            "cis": self.cis_timeout_s,
            "oms": self.oms_timeout_s,
            "meters": self.meters_timeout_s,
            "payments": self.payments_timeout_s,
        }[system]
