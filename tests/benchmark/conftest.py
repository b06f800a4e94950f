# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Fixtures of the benchmark tests."""
import importlib.util

import pytest
from benchmark_helpers import ROOT


@pytest.fixture(scope='session')
def benchmark_tool():
    """``tools/benchmark.py`` as a module."""
    spec = importlib.util.spec_from_file_location('benchmark_tool', ROOT / 'tools' / 'benchmark.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def in_repo(monkeypatch):
    """Run from the repository root, as the tools are documented to be used."""
    monkeypatch.chdir(ROOT)
    return ROOT
