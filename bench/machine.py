"""What the benchmark ran on: CPU, cores, memory, OS, Python, and the tools' versions."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path

from bench.wrk import wrk_version


def cpu_model(cpuinfo: str) -> str | None:
    for line in cpuinfo.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "model name":
            return " ".join(value.split())
    return None


def memory_gib(meminfo: str) -> float | None:
    for line in meminfo.splitlines():
        name, _, value = line.partition(":")
        if name == "MemTotal":
            kib, _, unit = value.strip().partition(" ")
            if unit.strip() == "kB":
                return int(kib) / 1024 / 1024
    return None


def os_name(os_release: str) -> str | None:
    for line in os_release.splitlines():
        name, _, value = line.partition("=")
        if name == "PRETTY_NAME":
            return value.strip().strip('"')
    return None


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _redis_version() -> str | None:
    executable = shutil.which("redis-server")
    if executable is None:
        return None
    run = subprocess.run(  # noqa: S603 - a fixed argument list
        [executable, "--version"], capture_output=True, text=True, check=False, timeout=10
    )
    return redis_version(run.stdout)


def redis_version(banner: str) -> str | None:
    """ "7.0.15" from "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 ..."."""
    for word in banner.split():
        if word.startswith("v="):
            return word[2:]
    return None


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


def describe_machine() -> dict[str, str]:
    memory = memory_gib(_read("/proc/meminfo"))
    return {
        "CPU": cpu_model(_read("/proc/cpuinfo")) or platform.processor() or "unknown",
        "cores": str(os.cpu_count() or "unknown"),
        "memory": f"{memory:.1f} GiB" if memory is not None else "unknown",
        "OS": f"{os_name(_read('/etc/os-release')) or platform.system()}"
        f" (kernel {platform.release()})",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "wrk": wrk_version() or "not installed",
        "Redis": _redis_version() or "not installed",
        "load average at the start": load_average(),
    }
