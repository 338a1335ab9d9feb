"""The transactional outbox: work written with its record, carried out by the worker.

Write entries with a unit of work (gateway.core.store); run them with OutboxRunner.
"""

from gateway.core.outbox.enqueue import QueuedEntry
from gateway.core.outbox.errors import (
    AnotherWorkerRunning,
    IdempotencyKeyConflict,
    InvalidOutboxEntry,
    OutboxError,
    OutboxStoreError,
)
from gateway.core.outbox.message import Handler, OutboxMessage
from gateway.core.outbox.retry import RetryPolicy
from gateway.core.outbox.runner import OutboxRunner, default_worker_id
from gateway.core.outbox.worker_lock import WorkerLock, acquire_worker_lock, worker_lock

__all__ = [
    "AnotherWorkerRunning",
    "Handler",
    "IdempotencyKeyConflict",
    "InvalidOutboxEntry",
    "OutboxError",
    "OutboxMessage",
    "OutboxRunner",
    "OutboxStoreError",
    "QueuedEntry",
    "RetryPolicy",
    "WorkerLock",
    "acquire_worker_lock",
    "default_worker_id",
    "worker_lock",
]
