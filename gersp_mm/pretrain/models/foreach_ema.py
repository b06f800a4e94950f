# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from typing import Any, Dict, List, Optional

import torch
from mmengine.model import ExponentialMovingAverage
from mmpretrain.registry import MODELS
from torch import nn


@MODELS.register_module()
class ForeachExponentialMovingAverage(ExponentialMovingAverage):
    """mmengine's :class:`ExponentialMovingAverage` with one fused (``foreach``) update per step.

    mmengine updates the averaged model parameter by parameter (one ``lerp_`` kernel each: ~160 launches
    for a ResNet-50 + projector, plus one buffer copy each) and reads the step counter, a tensor on the
    model's device, with ``if self.steps == 0`` (a host-device synchronisation every step). This version
    updates all floating-point parameters with one ``torch._foreach_lerp_`` and copies the buffers with one
    ``torch._foreach_copy_``. ``lerp`` is the operation mmengine applies to each parameter, so the result
    is the same (bitwise on CPU, where the foreach op runs the per-tensor kernel). The step counter stays
    the persistent ``steps`` buffer (checkpoints are interchangeable with mmengine's); a host-side copy of
    it is read once after construction or loading, so later steps do not synchronise.

    Only ``update_buffers=False`` (mmengine's default: buffers are copied from the source model) is
    supported.

    Args:
        model (nn.Module): The model to average.
        momentum (float): ``averaged = (1 - momentum) * averaged + momentum * source``.
            Defaults to 0.0002.
        interval (int): Update every ``interval`` steps. Defaults to 1.
        device (torch.device, optional): Where to keep the averaged model. Defaults to None.
        update_buffers (bool): Must be False. Defaults to False.
    """

    def __init__(self,
                 model: nn.Module,
                 momentum: float = 0.0002,
                 interval: int = 1,
                 device: Optional[torch.device] = None,
                 update_buffers: bool = False) -> None:
        if update_buffers:
            raise ValueError('ForeachExponentialMovingAverage supports update_buffers=False only')
        super().__init__(model, momentum, interval, device, update_buffers)
        self._host_steps: Optional[int] = None

    def _load_from_state_dict(self, state_dict: Dict[str, Any], prefix: str, *args, **kwargs) -> None:
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        self._host_steps = None  # read the loaded counter again at the next update

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        """Average the parameters of ``model`` into this model and copy its buffers.

        Args:
            model (nn.Module): The source model, with the same parameter names and buffers.
        """
        if self._host_steps is None:
            self._host_steps = int(self.steps)
        source = dict(model.named_parameters())
        if self._host_steps == 0:
            names = list(self.avg_parameters)
        elif self._host_steps % self.interval == 0:
            names = [name for name, param in self.avg_parameters.items() if param.dtype.is_floating_point]
        else:
            names = []
        if names:
            averaged = [self.avg_parameters[name].data for name in names]
            new = [source[name].data.to(param.device) for name, param in zip(names, averaged)]
            if self._host_steps == 0:
                torch._foreach_copy_(averaged, new)
            else:
                torch._foreach_lerp_(averaged, new, self.momentum)
        buffers: List[torch.Tensor] = [buffer.data for buffer in self.module.buffers()]
        if buffers:
            torch._foreach_copy_(buffers, [src.data.to(dst.device) for dst, src in zip(buffers, model.buffers())])
        self.steps += 1
        self._host_steps += 1
