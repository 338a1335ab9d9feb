"""Shared pytest setup: servers the tests need are started by fixtures, on free ports."""

pytest_plugins = [
    "tests.fixtures.world",
    "tests.fixtures.postgres",
    "tests.fixtures.meters",
    "tests.fixtures.oms",
    "tests.fixtures.cis",
    "tests.fixtures.smtp",
    "tests.fixtures.redis",
]
