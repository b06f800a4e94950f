# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The allow-list of safe checkpoint loading: the plain data an mmengine ``Runner`` checkpoint holds.

torch >= 2.6 defaults to ``weights_only=True``, which refuses mmengine's checkpoints. The allow-list adds to
torch's tensors and containers only the plain data such a checkpoint holds (its log ``HistoryBuffer`` with its
statistics methods, numpy arrays, dtypes and scalars).
"""
import pickle
from functools import lru_cache
from typing import Any, Callable, List

import numpy as np


def _numpy_reconstruct() -> Callable:
    """Return numpy's array-unpickling helper under its current module path (numpy 1.x or 2.x)."""
    try:
        from numpy._core.multiarray import _reconstruct
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct
    return _reconstruct


def _numpy_scalar() -> Callable:
    """Return numpy's scalar-unpickling helper under its current module path."""
    try:
        from numpy._core.multiarray import scalar
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import scalar
    return scalar


# The statistics every HistoryBuffer registers (lazily, in its __init__).
_BUILTIN_STATISTICS = ('min', 'max', 'current', 'mean')


def _history_buffer_getattr(obj: Any, name: str) -> Any:
    """``getattr`` restricted to what a pickled ``HistoryBuffer`` references: its statistics methods.

    A pickled ``HistoryBuffer`` refers to its registered statistics (``HistoryBuffer.min``, ...) through
    ``builtins.getattr``. Allowing the real ``getattr`` would expose every attribute of every allowed
    class (e.g. ``numpy.ndarray.tofile``, which writes files); this stand-in allows only those methods.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    if obj is HistoryBuffer and name in {*_BUILTIN_STATISTICS, *HistoryBuffer._statistics_methods}:
        return getattr(obj, name)
    raise pickle.UnpicklingError(f'getattr({obj!r}, {name!r}) is not allowed in a checkpoint')


@lru_cache(maxsize=None)
def mmengine_checkpoint_globals() -> List[Any]:
    """The non-tensor globals that a checkpoint written by an mmengine ``Runner`` contains.

    Returns:
        list: Classes and functions (or ``(function, qualified name)`` aliases) allowed in addition to
        torch's own ``weights_only`` allow-list: mmengine's ``HistoryBuffer`` (the message hub's log
        history) with its statistics methods, numpy arrays, dtypes and scalars.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    dtype_classes = sorted({type(np.dtype(code)) for code in np.typecodes['All'] if code != 'O'},
                           key=lambda cls: cls.__name__)
    return [HistoryBuffer, (_history_buffer_getattr, 'builtins.getattr'), _numpy_reconstruct(),
            _numpy_scalar(), np.ndarray, np.dtype, *dtype_classes]
