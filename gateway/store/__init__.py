"""The gateway's own data (portal users and their account links), apart from the co-op's systems."""

from gateway.store.members import GatewayStore, StoredUser, normalize_email, upsert_member
from gateway.store.migrate import migrate
from gateway.store.models import Role
from gateway.store.open import open_store

__all__ = [
    "GatewayStore",
    "Role",
    "StoredUser",
    "migrate",
    "normalize_email",
    "open_store",
    "upsert_member",
]
