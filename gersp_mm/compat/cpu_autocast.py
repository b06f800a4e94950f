# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Mixed precision on CPU.

mmengine's ``AmpOptimWrapper`` asserts that a GPU/NPU/MLU is present. ``CPUAutocastOptimWrapper`` runs the
forward under ``torch.autocast('cpu', dtype=torch.bfloat16)`` (bfloat16 needs no loss scaling); ``tools/train.py
--amp`` picks it when no GPU is visible.
"""
import contextlib
from typing import Iterator, Union

import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class CPUAutocastOptimWrapper(OptimWrapper):
    """An optimizer wrapper whose forward runs under CPU autocast (mixed precision without a GPU).

    Args:
        dtype (str | torch.dtype): Autocast dtype. Defaults to ``'bfloat16'`` (float16 on CPU would need
            loss scaling, which this wrapper does not do).
        **kwargs: Arguments of :class:`mmengine.optim.OptimWrapper`.
    """

    def __init__(self, dtype: Union[str, torch.dtype] = 'bfloat16', **kwargs) -> None:
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype) if isinstance(dtype, str) else dtype
        if self.cast_dtype != torch.bfloat16:
            raise ValueError(f'CPUAutocastOptimWrapper supports bfloat16 only, got {self.cast_dtype}')

    @contextlib.contextmanager
    def optim_context(self, model: torch.nn.Module) -> Iterator[None]:
        with super().optim_context(model), torch.autocast('cpu', dtype=self.cast_dtype):
            yield
