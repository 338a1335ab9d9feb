"""How the report writes figures and tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

VERDICTS = {True: "yes", False: "**no**", None: "not measured"}


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A Markdown table; `|` inside a cell is escaped."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return [line(header), "|" + "|".join("---" for _ in header) + "|", *map(line, rows)]


def abbreviated(query: str, *, head: int = 4, tail: int = 8, most: int = 40) -> str:
    """A long query (a hundred aliased fields) as its first and last lines."""
    lines = query.splitlines()
    if len(lines) <= most:
        return query
    left_out = len(lines) - head - tail
    return "\n".join(
        [*lines[:head], f"  # ... {left_out} more lines like these ...", *lines[-tail:]]
    )


def seconds(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


def milliseconds(value: float) -> str:
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def rate(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


def ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def size(num_bytes: int) -> str:
    if num_bytes >= 1_000_000:
        return f"{num_bytes / 1_000_000:.2f} MB"
    return f"{num_bytes / 1000:.1f} kB"


def calls(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"
