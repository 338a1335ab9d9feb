"""Operators create staff and admin logins (`coop-gateway create-staff`), never members.

The command never turns a member's login into a staff one, and never changes an
existing staff login unless asked to (`reset`): then it sets the new password (and
role) and signs that user out everywhere. New passwords follow the password policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters.rules.email import is_email_address, normalize_email_address
from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.identity.password_policy import password_problem
from gateway.identity.roles import STAFF_ROLES
from gateway.identity.sessions import revoke_user_sessions
from gateway.identity.tables import Role
from gateway.identity.users import find_user_by_email, upsert_member


class StaffLoginRefused(Exception):
    """Nothing was changed; the message says why, for the operator."""


@dataclass(frozen=True, slots=True)
class StaffLogin:
    user_id: int
    email: str
    role: Role
    created: bool  # False: an existing staff login was reset


async def create_staff(
    database_url: str, *, email: str, password: str, role: Role, reset: bool = False
) -> StaffLogin:
    """Migrate the database, then create (or, with `reset`, reset) the staff login."""
    email = normalize_email_address(email)
    if role not in STAFF_ROLES:
        raise StaffLoginRefused("Staff logins have the role staff or admin.")
    if not is_email_address(email):
        raise StaffLoginRefused("Give the staff member's email address.")
    problem = password_problem(password, email=email)
    if problem is not None:
        raise StaffLoginRefused(f"Password refused: {problem}")
    await migrate(database_url)
    store = open_store(database_url)
    try:
        existing = await find_user_by_email(store, email)
        if existing is not None and existing.role not in STAFF_ROLES:
            raise StaffLoginRefused(
                f"{email} is a member's login; staff need a login of their own."
            )
        if existing is not None and not reset:
            raise StaffLoginRefused(
                f"{email} already has a {existing.role.value} login; add --reset to set a"
                " new password (and role) for it."
            )
        user_id = await upsert_member(
            store.engine, email=email, password=password, account_numbers=(), role=role
        )
        if existing is not None:
            await revoke_user_sessions(store, user_id, reason="password_changed")
        return StaffLogin(user_id=user_id, email=email, role=role, created=existing is None)
    finally:
        await store.aclose()


async def ensure_demo_staff(database_url: str, logins: dict[str, tuple[str, Role]]) -> None:
    """The demo's staff logins, created when missing (their passwords skip the policy)."""
    store = open_store(database_url)
    try:
        for email, (password, role) in logins.items():
            if await find_user_by_email(store, email) is None:
                await upsert_member(
                    store.engine, email=email, password=password, account_numbers=(), role=role
                )
    finally:
        await store.aclose()
