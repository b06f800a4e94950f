# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Deprecated alias of :mod:`gersp_mm.downstream`, the downstream benchmark suite (the package's old name).

``gersp_mm.benchmark`` and its submodules (``gersp_mm.benchmark.tasks`` ...) are the very modules of
:mod:`gersp_mm.downstream`; new code imports ``gersp_mm.downstream``.
"""
import importlib
import sys
import warnings

from .downstream import *  # noqa: F401,F403
from .downstream import __all__  # noqa: F401

warnings.warn('gersp_mm.benchmark is deprecated: import gersp_mm.downstream', DeprecationWarning, stacklevel=2)

for _name in ('cli', 'preflight', 'report', 'results', 'runs', 'summary', 'tasks'):
    _module = importlib.import_module(f'gersp_mm.downstream.{_name}')
    sys.modules[f'{__name__}.{_name}'] = _module
    globals().setdefault(_name, _module)  # the function ``preflight`` keeps its name, as in gersp_mm.downstream
