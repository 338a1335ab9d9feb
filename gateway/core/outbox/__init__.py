"""The transactional outbox: work written with its record, carried out by the worker.

Write entries with a unit of work (gateway.core.store); run them with OutboxRunner.
"""

from gateway.core.outbox.enqueue import QueuedEntry
from gateway.core.outbox.errors import (
    IdempotencyKeyConflict,
    InvalidOutboxEntry,
    OutboxError,
    OutboxStoreError,
)
from gateway.core.outbox.message import Handler, OutboxMessage
from gateway.core.outbox.retry import RetryPolicy
from gateway.core.outbox.runner import OutboxRunner, default_worker_id

__all__ = [
    "Handler",
    "IdempotencyKeyConflict",
    "InvalidOutboxEntry",
    "OutboxError",
    "OutboxMessage",
    "OutboxRunner",
    "OutboxStoreError",
    "QueuedEntry",
    "RetryPolicy",
    "default_worker_id",
]
