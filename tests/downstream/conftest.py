# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Fixtures of the downstream benchmark tests."""
import pytest

from gersp_mm.downstream import cli
from tests.helpers import ROOT


@pytest.fixture(scope='session')
def downstream_tool():
    """The command line of ``tools/downstream_benchmark.py`` (``gersp_mm.downstream.cli``)."""
    return cli


@pytest.fixture
def in_repo(monkeypatch):
    """Run from the repository root, as the tools are documented to be used."""
    monkeypatch.chdir(ROOT)
    return ROOT
