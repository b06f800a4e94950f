# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""``init_cfg=dict(type='Pretrained', _scope_='gersp_mm', ...)``: mmengine's Pretrained, refusing a checkpoint
that does not fit.

What it changes: mmengine's ``PretrainedInit`` loads with ``strict=False`` and only logs missing keys and
size mismatches, so a wrong checkpoint (an R18 export in an R50 detector, a file without the backbone)
trains on with a partly random backbone; and it loads NaN/inf weights silently (the run then trains an
epoch and refuses to save). This one loads the same tensors the same way, after
:func:`~gersp_mm.export.checkpoint_fit.check_backbone_fits`, and raises
:class:`~gersp_mm.export.checkpoint_fit.BackboneMismatchError` (one sentence) instead, or
:class:`NonFinitePretrainedError` naming the NaN/inf tensors.

Why the same type name: mmengine applies an init_cfg of type ``'Pretrained'`` after the children's own
initialisation, and mmpretrain's ``ResNet`` skips its zero-init of the last BN of each block only for that
name; another name would let both overwrite the loaded weights. The ``_scope_='gersp_mm'`` key of the
init_cfg makes mmengine build it in the ``gersp_mm`` registry scope, where this class is registered
(:mod:`gersp_mm.registry` imports it when that scope is first used); without ``_scope_`` mmengine's own
``Pretrained`` is built, as everywhere else.
"""
from mmengine.logging import print_log
from mmengine.model.weight_init import PretrainedInit, update_init_info
from mmengine.runner.checkpoint import _load_checkpoint, load_state_dict
from torch import nn

from ..engine.non_finite import count_tensors, find_non_finite, summarize_non_finite
from ..registry import SCOPE_REGISTRIES
from .checkpoint_fit import backbone_tensors, check_backbone_fits

WEIGHT_INITIALIZERS = SCOPE_REGISTRIES['WEIGHT_INITIALIZERS']


class NonFinitePretrainedError(ValueError):
    """The tensors an ``init_cfg`` checkpoint would load hold NaN/inf values (the message names them)."""


@WEIGHT_INITIALIZERS.register_module(name='Pretrained')
class CheckedPretrainedInit(PretrainedInit):
    """mmengine's ``PretrainedInit`` that raises when the checkpoint does not fit the module.

    Args:
        checkpoint (str): The checkpoint file (or URL, ``torchvision://...``).
        prefix (str, optional): Key prefix of the module's tensors in the checkpoint, e.g. ``'backbone.'``.
        map_location (str): Same as :func:`torch.load`. Defaults to ``'cpu'``.

    Raises:
        BackboneMismatchError: When called, if the checkpoint has no tensors under ``prefix``, or misses
            tensors of the module, or has some of another shape.
        NonFinitePretrainedError: When called, if tensors it would load hold NaN/inf values.
    """

    def __call__(self, module: nn.Module) -> None:
        print_log(f'load {self.prefix or "model"} in {type(module).__name__} from: {self.checkpoint}',
                  logger='current')
        checkpoint = _load_checkpoint(self.checkpoint, map_location=self.map_location)
        tensors = backbone_tensors(checkpoint, self.prefix, str(self.checkpoint))
        check_backbone_fits(module, tensors, str(self.checkpoint))
        non_finite = find_non_finite(tensors)
        if non_finite:
            raise NonFinitePretrainedError(
                f'{self.checkpoint} cannot initialise the {type(module).__name__}: '
                f'{summarize_non_finite(non_finite, total=count_tensors(tensors))} (the training that wrote it '
                'diverged: use an earlier checkpoint)')
        load_state_dict(module, tensors, strict=False, logger='current')
        if hasattr(module, '_params_init_info'):
            update_init_info(module, init_info=self._get_init_info())
