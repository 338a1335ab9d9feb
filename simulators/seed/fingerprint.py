"""Which version of the demo co-op's generator made a data directory.

The generator is deterministic for its arguments, but not across its own changes: a
data directory seeded before one (say, before some accounts got three service
locations) holds another co-op than the same arguments give now, and benchmarks that
look for the new kind of account would not find it. The fingerprint is a hash of the
generator's source, so that any change to it makes directories seed again.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import simulators.seed
import simulators.world

_SOURCES = (
    *sorted(Path(simulators.seed.__file__).parent.glob("*.py")),
    Path(simulators.world.__file__),
)


@cache
def generator_fingerprint() -> str:
    """A short hash of the source of every module the generator is made of."""
    digest = hashlib.sha256()
    for source in _SOURCES:
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]
