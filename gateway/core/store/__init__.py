"""Writing the gateway's own database: one unit of work per command."""

from gateway.core.store.unit_of_work import SessionSource, UnitOfWork, unit_of_work

__all__ = ["SessionSource", "UnitOfWork", "unit_of_work"]
