"""Who may use the staff console: staff and admins; the audit log: admins only."""

from __future__ import annotations

from typing import Final

from gateway.core.errors import GatewayError
from gateway.identity.policy import AccountAccess
from gateway.identity.tables import Role
from gateway.identity.users import StoredUser

FORBIDDEN: Final = "FORBIDDEN"
STAFF_ROLES: Final = frozenset({Role.STAFF, Role.ADMIN})


class Forbidden(GatewayError):
    """Signed in, but the role does not allow this (`extensions.code` FORBIDDEN)."""

    code = FORBIDDEN


async def require_staff(access: AccountAccess) -> StoredUser:
    """The signed-in staff user or admin; `Unauthenticated` or `Forbidden` otherwise."""
    user = await access.require_user()
    if user.role not in STAFF_ROLES:
        raise Forbidden("Only co-op staff may do this.")
    return user


async def require_admin(access: AccountAccess) -> StoredUser:
    user = await access.require_user()
    if user.role is not Role.ADMIN:
        raise Forbidden("Only co-op administrators may do this.")
    return user
