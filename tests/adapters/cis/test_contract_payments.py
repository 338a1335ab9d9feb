"""The CIS payment contract (`adapters.cis.contract_payments`) for the fake and for the
SOAP adapter against the CIS stand-in.

Each test gets a CIS of its own: a fresh fake, or a stand-in over a fresh database.
"""

from __future__ import annotations

import pytest

from adapters.cis.contract_payments import *  # noqa: F403
from adapters.cis.contract_payments import CisPaymentFacts
from adapters.cis.soap import SoapCis
from simulators.world import World


@pytest.fixture
def soap_cis(writable_soap_cis: SoapCis) -> SoapCis:
    """Each test here writes, so each gets a stand-in of its own."""
    return writable_soap_cis


@pytest.fixture(scope="session")
def cis_payment_facts(world: World) -> CisPaymentFacts:
    return cis_payment_facts_from_world(world)


def cis_payment_facts_from_world(world: World) -> CisPaymentFacts:
    prepay = {a.account_number for a in world.accounts if a.is_prepay}
    postpaid = [b for b in world.balances if b.account_number not in prepay]
    return CisPaymentFacts(
        postpaid_account=postpaid[0].account_number,
        past_due_account=next(
            b.account_number for b in postpaid if b.past_due_amount > 0 and b.due_date
        ),
        not_past_due_account=next(b.account_number for b in postpaid if b.past_due_amount == 0),
        prepay_account=sorted(prepay)[0],
        unknown_account="9999999",
    )
