# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""How each demo run's config differs from its file in configs/demo: data roots, seed, checkpoint, ``--quick``.

The functions return top-level config fields, which :func:`.runs.write_config` writes into a config that
inherits the configs/demo file (merged as mmengine merges configs).
"""
from mmengine.config import Config

from .plan import DemoInit, DemoTask
from .synthetic_scenes import DemoDataRoots


def quick_schedule(epochs: int) -> dict:
    """Overrides of a ``--quick`` run: ``epochs`` epochs, one evaluation and one checkpoint at the end."""
    return dict(train_cfg=dict(max_epochs=epochs, val_interval=epochs),
                default_hooks=dict(logger=dict(interval=1), checkpoint=dict(interval=epochs)))


def pretrain_fields(init: DemoInit, data: DemoDataRoots, seed: int, quick: bool) -> dict:
    """The overrides of a pre-training: its source(s), the k-NN monitor's scenes, the seed.

    Args:
        init (DemoInit): The pre-trained init (``gersp``, ``moco`` or ``supervised``).
        data (DemoDataRoots): The demo's datasets.
        seed (int): Seed of the sampler and of the run.
        quick (bool): Batches of 8, one epoch, the k-NN monitor every 2 iterations on 2 + 2 scenes per class.

    Returns:
        dict: Top-level config fields.
    """
    rs_root, natural_root = data.million_aid + '/', data.imagenet + '/'
    dataset = dict(gersp=dict(rs=dict(data_root=rs_root), natural=dict(data_root=natural_root)),
                   moco=dict(data_root=rs_root), supervised=dict(data_root=natural_root))[init.label]
    hooks = Config.fromfile(init.pretrain_config).custom_hooks
    for hook in hooks:
        if hook['type'] == 'KNNMonitorHook':
            hook['dataset']['data_root'] = data.nwpu
            if quick:
                hook.update(interval=2, memory_per_class=2, query_per_class=2)
    fields = dict(train_dataloader=dict(sampler=dict(seed=seed), dataset=dataset),
                  custom_hooks=[hook.to_dict() if hasattr(hook, 'to_dict') else hook for hook in hooks],
                  randomness=dict(seed=seed))
    if quick:
        fields['train_dataloader']['batch_size'] = 8
        fields.update(quick_schedule(1))
    return fields


def finetune_fields(task: DemoTask, init: DemoInit, data: DemoDataRoots, seed: int, quick: bool) -> dict:
    """The overrides of a fine-tuning: its dataset, the seed and the pre-trained backbone.

    Args:
        task (DemoTask): The downstream task (``det`` or ``cls``).
        init (DemoInit): The init; its ``checkpoint`` (the exported backbone to start from) is None for
            ``random``.
        data (DemoDataRoots): The demo's datasets.
        seed (int): Seed of the run.
        quick (bool): Two epochs.

    Returns:
        dict: Top-level config fields.
    """
    data_root = dict(det=data.dior + '/', cls=data.nwpu)[task.name]
    loader = dict(dataset=dict(data_root=data_root))
    fields = dict(train_dataloader=loader, val_dataloader=loader, test_dataloader=loader, randomness=dict(seed=seed))
    if init.checkpoint is not None:
        fields['model'] = dict(backbone=dict(init_cfg=dict(checkpoint=init.checkpoint)))
    if quick:
        fields.update(quick_schedule(2))
    return fields
