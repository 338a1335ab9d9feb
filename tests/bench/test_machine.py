"""Describing the machine from /proc and the tools' banners."""

from __future__ import annotations

import pytest

from bench.machine import cpu_model, memory_gib, os_name, redis_version

CPUINFO = """\
processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7B13   64-Core Processor
processor\t: 1
model name\t: AMD EPYC 7B13   64-Core Processor
"""


def test_cpu_model() -> None:
    assert cpu_model(CPUINFO) == "AMD EPYC 7B13 64-Core Processor"
    assert cpu_model("processor\t: 0\n") is None


def test_memory_in_gib() -> None:
    assert memory_gib("MemTotal:       24683520 kB\nMemFree: 1 kB\n") == pytest.approx(23.54, 0.01)
    assert memory_gib("") is None


def test_os_name_from_os_release() -> None:
    release = 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'
    assert os_name(release) == "Debian GNU/Linux 12 (bookworm)"
    assert os_name("") is None


def test_redis_version_from_its_banner() -> None:
    banner = "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=ae4d"
    assert redis_version(banner) == "7.0.15"
    assert redis_version("") is None
