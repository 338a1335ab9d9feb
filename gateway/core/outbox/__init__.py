"""The transactional outbox: work written with its record, carried out by the worker.

Write entries with a unit of work (gateway.core.store).
"""

from gateway.core.outbox.enqueue import QueuedEntry
from gateway.core.outbox.errors import (
    IdempotencyKeyConflict,
    InvalidOutboxEntry,
    OutboxError,
)

__all__ = [
    "IdempotencyKeyConflict",
    "InvalidOutboxEntry",
    "OutboxError",
    "QueuedEntry",
]
