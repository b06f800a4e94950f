# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Fixtures of the benchmark tests."""
import pytest
from helpers import ROOT

from gersp_mm.benchmark import cli


@pytest.fixture(scope='session')
def benchmark_tool():
    """The command line of ``tools/benchmark.py`` (``gersp_mm.benchmark.cli``)."""
    return cli


@pytest.fixture
def in_repo(monkeypatch):
    """Run from the repository root, as the tools are documented to be used."""
    monkeypatch.chdir(ROOT)
    return ROOT
