"""Every vendored front-end file is its npm package's own, with its licence beside it
(static/vendor/packages.json, refreshed by `make vendor`)."""

import hashlib
import json
from pathlib import Path

import pytest

VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor"
MANIFEST = json.loads((VENDOR / "packages.json").read_text())


@pytest.mark.parametrize("folder", sorted(MANIFEST))
def test_vendored_files_match_their_package(folder):
    package = MANIFEST[folder]
    assert package["version"] and package["license"]
    assert "LICENSE" in package["files"] or "LICENSE.txt" in package["files"]
    for target, entry in package["files"].items():
        content = (VENDOR / folder / target).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], (
            f"{folder}/{target} differs from {package['package']}"
        )


def test_every_vendored_folder_is_listed():
    folders = {path.name for path in VENDOR.iterdir() if path.is_dir()}
    assert folders == set(MANIFEST)
