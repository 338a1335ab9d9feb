"""Contacts in GraphQL: `viewer.contacts` and the mutations that add, activate and remove them."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from gateway.api.context import GatewayContext, GatewayInfo
from gateway.api.fields import described_mutation
from gateway.api.results import ValidationError
from gateway.api.scalars import local, local_or_none
from gateway.core.outcomes import FieldProblem
from gateway.identity.throttle import Throttled
from gateway.identity.users import StoredUser
from gateway.notifications import contacts
from gateway.notifications.activation_codes import CODE_TTL
from gateway.notifications.consent import CONSENT_WORDING
from gateway.notifications.contacts_store import Contact, ContactKind


@strawberry.enum
class NotificationContactKind(Enum):
    EMAIL = "email"
    SMS = "sms"


@strawberry.type(
    description="An email address or a mobile number notifications may go to, once activated."
)
class NotificationContact:
    id: strawberry.ID
    kind: NotificationContactKind
    value: str = strawberry.field(description="The address, or the number in E.164.")
    activated: bool = strawberry.field(
        description="Only an activated contact is ever sent a notification."
    )
    is_login: bool = strawberry.field(
        description="The login's own confirmed address: activated from the start."
    )
    created_at: datetime
    activated_at: datetime | None
    consent_text: str | None = strawberry.field(
        description="For a number: the words to show beside its code box. Entering the code"
        " is the member's consent to texts, recorded with these words."
    )

    @classmethod
    def of(cls, contact: Contact, context: GatewayContext) -> NotificationContact:
        return cls(
            id=strawberry.ID(str(contact.id)),
            kind=NotificationContactKind(contact.kind.value),
            value=contact.value,
            activated=contact.activated,
            is_login=contact.is_login,
            created_at=local(contact.created_at, context.zone),
            activated_at=local_or_none(contact.activated_at, context.zone),
            consent_text=CONSENT_WORDING if contact.kind is ContactKind.SMS else None,
        )


def _login_address(user: StoredUser) -> str | None:
    return contacts.login_email(user.email, confirmed=user.email_confirmed)


async def viewer_contacts(info: GatewayInfo, user_id: int) -> list[NotificationContact]:
    """For `Viewer.contacts`."""
    context = info.context
    user = await context.access.require_user()
    listed = await contacts.list_contacts(
        store=context.store, user_id=user_id, login_address=_login_address(user)
    )
    return [NotificationContact.of(contact, context) for contact in listed]


@strawberry.input
class AddContactInput:
    kind: NotificationContactKind
    value: str = strawberry.field(description="An email address, or a North American number.")


@strawberry.input
class ActivateContactInput:
    contact_id: strawberry.ID
    code: str = strawberry.field(description="The six digits sent to the contact.")


@strawberry.input
class RemoveContactInput:
    contact_id: strawberry.ID


@strawberry.type(
    description="The contact is kept, waiting for its code: a six-digit code is on its way"
    " to it. Adding it again sends a new code."
)
class ContactAdded:
    contact: NotificationContact
    code_expires_in_minutes: int = int(CODE_TTL.total_seconds() // 60)


@strawberry.type(description="This contact is already activated.")
class ContactAlreadyAdded:
    contact: NotificationContact
    message: str = "You already have this contact."


@strawberry.type(description="The contact is activated: notifications may go to it.")
class ContactActivated:
    contact: NotificationContact


@strawberry.type(description="No such contact among the viewer's own.")
class ContactNotFound:
    contact_id: strawberry.ID
    message: str = "No such contact was found."


@strawberry.type(description="The code is wrong, or too old: ask for a new one with addContact.")
class ActivationCodeInvalid:
    expired: bool
    message: str


@strawberry.type(description="Too many wrong codes for this contact; wait, then try again.")
class ActivationThrottled:
    retry_after_seconds: int
    message: str = "Too many wrong codes. Wait a while, then try again."


@strawberry.type(description="The contact is removed; nothing is sent to it any more.")
class ContactRemoved:
    contact_id: strawberry.ID


@strawberry.type(description="The login's own address stays a contact as long as the login.")
class LoginContactNotRemovable:
    contact_id: strawberry.ID
    message: str = "Your sign-in email address stays a contact; turn notifications off instead."


@strawberry.type(description="Too many codes asked for lately, by this login or to this contact.")
class CodesThrottled:
    retry_after_seconds: int
    message: str = "Too many codes were sent lately. Wait a while, then try again."


AddContactResult = Annotated[
    ContactAdded | ContactAlreadyAdded | ValidationError | CodesThrottled,
    strawberry.union("AddContactResult"),
]
ActivateContactResult = Annotated[
    ContactActivated | ContactNotFound | ActivationCodeInvalid | ActivationThrottled,
    strawberry.union("ActivateContactResult"),
]
RemoveContactResult = Annotated[
    ContactRemoved | ContactNotFound | LoginContactNotRemovable,
    strawberry.union("RemoveContactResult"),
]


@strawberry.type
class NotificationContactMutations:
    @described_mutation(
        "Add an email address or a mobile number to the viewer's contacts, and send it a"
        " six-digit activation code (valid 15 minutes)."
    )
    async def add_contact(self, info: GatewayInfo, input: AddContactInput) -> AddContactResult:
        context = info.context
        user = await context.access.require_user()
        outcome = await contacts.add_contact(
            store=context.store,
            throttle=contacts.code_send_throttle(context.store),
            user_id=user.id,
            login_address=_login_address(user),
            kind=ContactKind(input.kind.value),
            value=input.value,
            request_id=context.request_id,
            client_address=context.client_address,
        )
        if isinstance(outcome, FieldProblem):
            return ValidationError.of(outcome)
        if isinstance(outcome, Throttled):
            return CodesThrottled(retry_after_seconds=outcome.retry_after_seconds)
        if isinstance(outcome, contacts.ContactAlreadyAdded):
            return ContactAlreadyAdded(contact=NotificationContact.of(outcome.contact, context))
        return ContactAdded(contact=NotificationContact.of(outcome.contact, context))

    @described_mutation("Activate a contact with the code sent to it.")
    async def activate_contact(
        self, info: GatewayInfo, input: ActivateContactInput
    ) -> ActivateContactResult:
        context = info.context
        user = await context.access.require_user()
        outcome = await contacts.activate_contact(
            store=context.store,
            throttle=contacts.activation_throttle(context.store),
            user_id=user.id,
            contact_id=str(input.contact_id),
            code=input.code,
            client_address=context.client_address,
            request_id=context.request_id,
        )
        if isinstance(outcome, contacts.ContactMissing):
            return ContactNotFound(contact_id=input.contact_id)
        if isinstance(outcome, Throttled):
            return ActivationThrottled(retry_after_seconds=outcome.retry_after_seconds)
        if isinstance(outcome, contacts.CodeRefused):
            return ActivationCodeInvalid(
                expired=outcome.expired,
                message="This code has expired: ask for a new one."
                if outcome.expired
                else "This code is not right.",
            )
        return ContactActivated(contact=NotificationContact.of(outcome, context))

    @described_mutation("Remove a contact; nothing is sent to it any more.")
    async def remove_contact(
        self, info: GatewayInfo, input: RemoveContactInput
    ) -> RemoveContactResult:
        context = info.context
        user = await context.access.require_user()
        outcome = await contacts.remove_contact(
            store=context.store,
            user_id=user.id,
            contact_id=str(input.contact_id),
            request_id=context.request_id,
        )
        if isinstance(outcome, contacts.ContactMissing):
            return ContactNotFound(contact_id=input.contact_id)
        if isinstance(outcome, contacts.LoginContact):
            return LoginContactNotRemovable(contact_id=input.contact_id)
        return ContactRemoved(contact_id=input.contact_id)
