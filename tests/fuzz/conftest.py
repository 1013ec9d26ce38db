"""The fuzz suite: its strategies live beside the tests (``fuzz_strategies``); ``invoke``
runs the command line in this process, its command tree built once (Typer builds it anew
for every call: 0.4 s, which would be most of a fuzz run)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from unittest import mock

import pytest
import typer
from typer.testing import Result

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:  # the tests import their strategies by name
    sys.path.insert(0, HERE)

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}

Invoke = Callable[[Sequence[str]], Result]


@pytest.fixture(scope="session")
def invoke() -> Invoke:
    """Run ``journeymap ARGS`` in this process; the result as Typer's runner gives it."""
    from typer.testing import CliRunner

    from journeymap.cli import app

    command = typer.main.get_command(app)
    runner = CliRunner()

    def run(args: Sequence[str]) -> Result:
        with mock.patch("typer.testing._get_command", return_value=command):
            return runner.invoke(app, list(args), env=ENV)

    return run
