# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Finding non-finite (NaN / inf) tensors in state dicts and nested checkpoint data."""
from typing import Any, List, NamedTuple

import torch


class NonFiniteTensor(NamedTuple):
    """One tensor holding NaN or inf values.

    Attributes:
        name (str): Its key path, e.g. ``state_dict.backbone.conv1.weight``.
        num_nan (int): Number of NaN values.
        num_inf (int): Number of +-inf values.
        numel (int): Number of values of the tensor.
    """

    name: str
    num_nan: int
    num_inf: int
    numel: int

    def __str__(self) -> str:
        counts = [f'{count} {kind}' for count, kind in ((self.num_nan, 'NaN'), (self.num_inf, 'inf')) if count]
        return f'{self.name} ({" + ".join(counts)} of {self.numel} values)'


def find_non_finite(data: Any, prefix: str = '') -> List[NonFiniteTensor]:
    """All floating-point (and complex) tensors in ``data`` holding NaN or inf, in traversal order.

    Args:
        data: A tensor, or dicts / lists / tuples nesting tensors (a state dict, a whole checkpoint).
        prefix (str): Name of ``data``; nested keys are joined with ``.``.

    Returns:
        list[NonFiniteTensor]: One entry per non-finite tensor (integer tensors are always finite).
    """
    found: List[NonFiniteTensor] = []
    _collect(data, prefix, found)
    return found


def _collect(data: Any, name: str, found: List[NonFiniteTensor]) -> None:
    if isinstance(data, torch.Tensor):
        if (data.is_floating_point() or data.is_complex()) and data.numel() and not bool(data.isfinite().all()):
            num_nan = int(data.isnan().sum())
            found.append(NonFiniteTensor(name, num_nan, int((~data.isfinite()).sum()) - num_nan, data.numel()))
    elif isinstance(data, dict):
        for key, value in data.items():
            _collect(value, f'{name}.{key}' if name else str(key), found)
    elif isinstance(data, (list, tuple)):
        for index, value in enumerate(data):
            _collect(value, f'{name}.{index}' if name else str(index), found)


def summarize_non_finite(found: List[NonFiniteTensor], total: int = None, limit: int = 5) -> str:
    """A one-line summary: how many tensors are non-finite and the first ``limit`` of them.

    Args:
        found (list[NonFiniteTensor]): From :func:`find_non_finite`.
        total (int, optional): Number of tensors searched, for "N of M tensors".
        limit (int): How many to name.
    """
    of_total = f' of {total}' if total is not None else ''
    names = '; '.join(str(item) for item in found[:limit])
    more = f'; ... and {len(found) - limit} more' if len(found) > limit else ''
    return f'{len(found)}{of_total} tensors hold NaN/inf values: {names}{more}'


def count_tensors(data: Any) -> int:
    """Number of tensors nested in ``data`` (dicts, lists, tuples)."""
    if isinstance(data, torch.Tensor):
        return 1
    if isinstance(data, dict):
        return sum(count_tensors(value) for value in data.values())
    if isinstance(data, (list, tuple)):
        return sum(count_tensors(value) for value in data)
    return 0
