"""What a web app's page loads before it is usable: the JavaScript of its entry chunk
and of every chunk that imports statically, gzipped, from the build's Vite manifest.
Chunks loaded on demand (`import()`: the usage screen, paying) are left out.

    .venv/bin/python -m bench.web_weight [--entry portal/index.html] \
        [--manifest web/dist/.vite/manifest.json]

Run after `make web`. Gzip at level 9, as a server compressing static files would.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

DEFAULT_MANIFEST: Final = Path("web/dist/.vite/manifest.json")
DEFAULT_ENTRY: Final = "portal/index.html"


@dataclass(frozen=True, slots=True)
class Chunk:
    file: str  # relative to the build folder: "assets/portal-1234.js"
    bytes: int
    gzipped: int


def first_load_files(manifest: Mapping[str, Any], entry: str) -> list[str]:
    """The JavaScript files `entry` loads at once: its own and its static imports,
    transitively, each once, in the order first met."""
    if entry not in manifest:
        raise KeyError(f"{entry} is not an entry of the manifest")
    files: list[str] = []
    seen: set[str] = set()
    waiting = [entry]
    while waiting:
        key = waiting.pop(0)
        if key in seen:
            continue
        seen.add(key)
        chunk = manifest[key]
        if str(chunk["file"]).endswith(".js"):
            files.append(str(chunk["file"]))
        waiting.extend(chunk.get("imports", []))
    return files


def first_load_chunks(manifest_path: Path, entry: str) -> list[Chunk]:
    manifest = json.loads(manifest_path.read_text())
    build = manifest_path.parent.parent  # the manifest is <build>/.vite/manifest.json
    chunks = []
    for file in first_load_files(manifest, entry):
        data = (build / file).read_bytes()
        chunks.append(Chunk(file, len(data), len(gzip.compress(data, compresslevel=9))))
    return chunks


def report(entry: str, chunks: Sequence[Chunk]) -> str:
    lines = [f"{entry}: first-load JavaScript"]
    lines += [f"{c.gzipped / 1000:8.1f} kB gz {c.bytes / 1000:8.1f} kB  {c.file}" for c in chunks]
    total_gz = sum(c.gzipped for c in chunks) / 1000
    total = sum(c.bytes for c in chunks) / 1000
    lines.append(f"{total_gz:8.1f} kB gz {total:8.1f} kB  in all")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--entry", action="append", default=None)
    arguments = parser.parse_args(argv)
    for entry in arguments.entry or [DEFAULT_ENTRY]:
        print(report(entry, first_load_chunks(arguments.manifest, entry)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
