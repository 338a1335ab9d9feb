"""The first-load JavaScript of a page, from a Vite manifest: static imports only."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bench.web_weight import first_load_chunks, first_load_files, main

MANIFEST = {
    "portal/index.html": {
        "file": "assets/portal-1.js",
        "isEntry": True,
        "imports": ["_react-1.js", "_shared-1.js"],
        "dynamicImports": ["portal/Usage.tsx"],
        "css": ["assets/app-1.css"],
    },
    "staff/index.html": {"file": "assets/staff-1.js", "imports": ["_react-1.js"]},
    "_react-1.js": {"file": "assets/react-1.js"},
    "_shared-1.js": {"file": "assets/shared-1.js", "imports": ["_react-1.js", "_app-1.css"]},
    "_app-1.css": {"file": "assets/app-1.css"},
    "portal/Usage.tsx": {"file": "assets/Usage-1.js", "imports": ["_uplot-1.js"]},
    "_uplot-1.js": {"file": "assets/uplot-1.js"},
}


def test_the_entry_and_its_static_imports_count_once_and_lazy_chunks_not() -> None:
    assert first_load_files(MANIFEST, "portal/index.html") == [
        "assets/portal-1.js",
        "assets/react-1.js",
        "assets/shared-1.js",
    ]
    assert first_load_files(MANIFEST, "staff/index.html") == [
        "assets/staff-1.js",
        "assets/react-1.js",
    ]
    with pytest.raises(KeyError):
        first_load_files(MANIFEST, "nowhere/index.html")


def test_sizes_are_read_from_the_build_and_gzipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".vite").mkdir()
    (tmp_path / "assets").mkdir()
    manifest = tmp_path / ".vite" / "manifest.json"
    manifest.write_text(json.dumps(MANIFEST))
    contents = {
        "assets/portal-1.js": b"portal();" * 100,
        "assets/react-1.js": bytes(range(256)) * 40,  # hardly compresses
        "assets/shared-1.js": b"x",
        "assets/Usage-1.js": b"never counted" * 1000,
    }
    for file, data in contents.items():
        (tmp_path / file).write_bytes(data)

    chunks = first_load_chunks(manifest, "portal/index.html")

    assert [c.file for c in chunks] == [
        "assets/portal-1.js",
        "assets/react-1.js",
        "assets/shared-1.js",
    ]
    for chunk in chunks:
        assert chunk.bytes == len(contents[chunk.file])
        assert chunk.gzipped == len(gzip.compress(contents[chunk.file], compresslevel=9))
    assert chunks[0].gzipped < chunks[0].bytes
    total = sum(c.gzipped for c in chunks) / 1000
    assert main(["--manifest", str(manifest)]) == 0
    assert f"{total:8.1f} kB gz" in capsys.readouterr().out
