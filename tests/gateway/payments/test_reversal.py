"""Reversing a posted payment in the CIS: once, whatever undoes it, and the first run
to finish names what did."""

from __future__ import annotations

import pytest

from adapters.cis.fake import FakeCis
from adapters.payments.fake import FakePaymentProcessor
from gateway.core.clock import utc_now
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments import store as payments_store
from gateway.payments.reversal import REFUND_REASON_CODE, reversal_id, reverse_payment
from gateway.payments.status import PaymentStatus
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.world import World
from tests.gateway.core.store.databases import store_on_each_backend
from tests.gateway.payments.test_processing import Forgotten, accepted, reread, run

store = store_on_each_backend()


@pytest.fixture
def cis(world: World) -> FakeCis:
    return fake_cis_from_world(world)


def test_the_reversal_id_is_the_payments_own_and_never_the_payment_id() -> None:
    assert reversal_id("pay_0123abcd") == "rev_0123abcd"


async def test_a_return_and_a_refund_racing_reverse_once_and_the_first_one_counts(
    store: GatewayStore, cis: FakeCis, world: World
) -> None:
    processor = FakePaymentProcessor()
    number = world.accounts[0].account_number
    owed = (await cis.get_balance(number)).amount_due
    posted = await run(store, processor, cis, await accepted(store, processor, number))

    async def undo(status: PaymentStatus, code: str) -> None:
        # Both runs read the payment POSTED before either finished.
        await reverse_payment(
            store=store,
            cis=cis,
            forget_balance=Forgotten(),
            payment=posted,
            status=status,
            reason_code=code,
            detail=f"undone: {code}",
            clock=utc_now,
        )

    await undo(PaymentStatus.RETURNED, "R01")
    await undo(PaymentStatus.REFUNDED, REFUND_REASON_CODE)

    assert (await reread(store, posted.id)).status is PaymentStatus.RETURNED
    assert list(cis.payment_book.reversals) == [reversal_id(posted.id)]
    assert (await cis.get_balance(number)).amount_due == owed
    events = await payments_store.payment_events(store, posted.id)
    assert [e.status for e in events].count(PaymentStatus.REFUNDED) == 0
