"""The co-op systems the gateway reads from, bundled so they are wired in one place."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from adapters.cis.port import CisPort
from adapters.meters.port import MeterDataPort
from adapters.oms.port import OmsPort


@dataclass(frozen=True, slots=True)
class Adapters:
    cis: CisPort
    oms: OmsPort
    meters: MeterDataPort

    async def aclose(self) -> None:
        await asyncio.gather(
            self.cis.aclose(), self.oms.aclose(), self.meters.aclose(), return_exceptions=True
        )
