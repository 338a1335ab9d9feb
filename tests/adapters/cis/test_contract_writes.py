"""The CIS write contract (`adapters.cis.contract_writes`): contact changes and the change
feed, for the fake and for the SOAP adapter.

Each test gets a CIS of its own: a fresh fake, or a stand-in over a fresh database.
"""

from __future__ import annotations

import pytest

from adapters.cis.contract_writes import *  # noqa: F403
from adapters.cis.soap import SoapCis


@pytest.fixture
def soap_cis(writable_soap_cis: SoapCis) -> SoapCis:
    """Each test here writes, so each gets a stand-in of its own."""
    return writable_soap_cis
