# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Type checks of the data loader numbers of a config, with errors naming the config key.

What the host gets wrong: ``train_dataloader.batch_size='32'`` (a string, e.g. from a YAML file or a
mistyped override) reaches torch's ``BatchSampler``, which reports "batch_size should be a positive integer
value, but got batch_size=32": the string is shown as a number.
"""
from typing import Any

#: ``{key: (minimum, description)}`` of the integer fields of a data loader config.
_INT_FIELDS = {'batch_size': 1, 'num_workers': 0, 'prefetch_factor': 1}
_BOOL_FIELDS = ('shuffle', 'drop_last', 'pin_memory', 'persistent_workers')
DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def _check(key: str, value: Any, kind: type, minimum: int = None) -> None:
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        hint = f' (write {key.rsplit(".", 1)[-1]}={value.strip()})' if isinstance(value, str) and \
            value.strip().isdigit() else ''
        raise TypeError(f'{key} must be an int, got {value!r} ({type(value).__name__}){hint}')
    if kind is bool and not isinstance(value, bool):
        raise TypeError(f'{key} must be True or False, got {value!r} ({type(value).__name__})')
    if minimum is not None and value < minimum:
        raise ValueError(f'{key} must be >= {minimum}, got {value}')


def check_dataloader_cfgs(cfg) -> None:
    """Check the numbers and flags of ``train/val/test_dataloader`` (and their sampler) in a config.

    Args:
        cfg (dict | mmengine.Config): The run's config.

    Raises:
        TypeError | ValueError: Naming the key, e.g. ``train_dataloader.batch_size must be an int, got '32'``.
    """
    for name in DATALOADERS:
        loader = cfg.get(name)
        if not isinstance(loader, dict):
            continue
        for field, minimum in _INT_FIELDS.items():
            if loader.get(field) is not None:
                _check(f'{name}.{field}', loader[field], int, minimum)
        for field in _BOOL_FIELDS:
            if loader.get(field) is not None:
                _check(f'{name}.{field}', loader[field], bool)
        sampler = loader.get('sampler')
        if isinstance(sampler, dict):
            if sampler.get('shuffle') is not None:
                _check(f'{name}.sampler.shuffle', sampler['shuffle'], bool)
            if sampler.get('seed') is not None:
                _check(f'{name}.sampler.seed', sampler['seed'], int)
