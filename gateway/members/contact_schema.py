"""Members (or staff, for them) change their phone numbers, email and billing address."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.accounts.schema import Customer
from gateway.api.context import GatewayInfo
from gateway.api.fields import described_mutation
from gateway.api.results import AccountNotFound, ValidationError
from gateway.core.outcomes import AccountHidden
from gateway.members import contact


@strawberry.input
class BillingAddressInput:
    line1: str
    city: str
    state: str = strawberry.field(description="Two-letter USPS code, like NM.")
    zip: str = strawberry.field(description="87031 or 87031-1234.")
    line2: str | None = None


@strawberry.input(
    description="Fields left out stay as they are; null or an empty string clears a phone"
    " number or the email."
)
class ContactDetailsInput:
    home_phone: str | None = strawberry.UNSET
    mobile_phone: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    billing_address: BillingAddressInput | None = strawberry.field(
        default=None, description="Replaces the billing address; left out, it stays."
    )


@strawberry.type
class UpdateContactDetailsSuccess:
    account_number: str
    customer: Customer = strawberry.field(description="As the billing system has it now.")


@strawberry.type(description="Nothing was changed: every rejected field is listed.")
class InvalidContactDetails:
    message: str
    errors: list[ValidationError]


UpdateContactDetailsResult = Annotated[
    UpdateContactDetailsSuccess | AccountNotFound | InvalidContactDetails,
    strawberry.union("UpdateContactDetailsResult"),
]


def _setting(value: str | None) -> contact.Setting:
    return contact.KEEP if value is strawberry.UNSET else value


@strawberry.type
class ContactMutations:
    @described_mutation(
        "Change the phone numbers, email or billing address the billing system has for"
        " the account's customer."
    )
    async def update_contact_details(
        self, info: GatewayInfo, account_number: str, input: ContactDetailsInput
    ) -> UpdateContactDetailsResult:
        address = input.billing_address
        context = info.context
        outcome = await contact.update_contact_details(
            access=context.access,
            loaders=context.loaders,
            cis=context.adapters.cis,
            invalidate=context.invalidate,
            request_id=context.request_id,
            account_number=account_number,
            change=contact.ContactInput(
                home_phone=_setting(input.home_phone),
                mobile_phone=_setting(input.mobile_phone),
                email=_setting(input.email),
                billing_address=(
                    contact.AddressInput(
                        line1=address.line1,
                        city=address.city,
                        state=address.state,
                        zip_code=address.zip,
                        line2=address.line2,
                    )
                    if address is not None
                    else None
                ),
            ),
        )
        if isinstance(outcome, AccountHidden):
            return AccountNotFound(number=account_number.strip())
        if isinstance(outcome, contact.Invalid):
            return InvalidContactDetails(
                message="Some details need another look; nothing was changed.",
                errors=[ValidationError.of(problem) for problem in outcome.problems],
            )
        return UpdateContactDetailsSuccess(
            account_number=account_number.strip(), customer=Customer.of(outcome.customer)
        )
