"""Shared fixtures: the real datasets and seed articles beside the project root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _shared(sub: str) -> Path:
    path = SHARED / sub
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing; CI must have ../shared beside the project")
        pytest.skip(f"{path} is absent (the real datasets live beside the project root)")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``: real public datasets (skipped on a user's machine, required in CI)."""
    return _shared("data")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """``../shared/seeds``: the articles the product was conceived from."""
    return _shared("seeds")
