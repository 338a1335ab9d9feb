"""Shared pytest setup: servers the tests need are started by fixtures, on free ports."""

from pathlib import Path

import pytest

ADAPTERS = Path(__file__).resolve().parent.parent / "adapters"

# The contract suites live in adapters, outside the test tree: without this, pytest
# would not rewrite their asserts, and a failure would not show the values compared.
pytest.register_assert_rewrite(
    *sorted(
        ".".join(("adapters", *path.relative_to(ADAPTERS).with_suffix("").parts))
        for path in ADAPTERS.rglob("contract*.py")
    )
)

pytest_plugins = [
    "tests.fixtures.world",
    "tests.fixtures.postgres",
    "tests.fixtures.meters",
    "tests.fixtures.oms",
    "tests.fixtures.cis",
    "tests.fixtures.smtp",
    "tests.gateway.notifications.worker_processes",
    "tests.fixtures.redis",
    "tests.fixtures.payments",
    "tests.fixtures.sms",
]
