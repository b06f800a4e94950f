# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The demo's three pre-trainings differ only in what the comparison is about (the sources and the loss); its
tasks and inits are the downstream suite's."""
import os

import pytest

from gersp_mm.demo.demo_data import FULL_SIZES
from gersp_mm.demo.plan import DEMO_INITS, DEMO_TASKS, DEMO_VARIANTS, PRETRAININGS
from gersp_mm.downstream import NAMED_INITS, Init, TaskSpec, primary_metric
from tests.config_helpers import load_config


@pytest.fixture
def configs():
    """Fresh copies (the tests modify them)."""
    return {init.label: load_config(init.pretrain_config) for init in PRETRAININGS}


def test_moco_is_gersp_without_the_classifier_and_the_natural_source(configs):
    gersp, moco = configs['gersp'], configs['moco']
    assert moco.model.cls_head is None
    gersp.model.pop('cls_head'), moco.model.pop('cls_head')
    assert moco.model == gersp.model
    dataset = moco.train_dataloader.dataset
    assert dataset.type == 'UnlabeledImageFolder'
    assert (dataset.data_root, dataset.pipeline) == (gersp.train_dataloader.dataset.rs.data_root,
                                                     gersp.train_dataloader.dataset.rs.pipeline)
    assert moco.train_dataloader.batch_size == gersp.train_dataloader.batch_size
    # the same aerial scenes per epoch and the same number of epochs
    assert gersp.train_dataloader.sampler.epoch_length == 'rs' and moco.train_dataloader.drop_last
    assert moco.train_cfg == gersp.train_cfg and moco.param_scheduler == gersp.param_scheduler


def test_supervised_is_a_classifier_on_the_natural_source_with_gersps_student_and_recipe(configs):
    gersp, supervised = configs['gersp'], configs['supervised']
    assert supervised.model.type == 'ImageClassifier'
    assert supervised.model.backbone == gersp.model.backbone
    assert supervised.model.head.num_classes == gersp.model.cls_head.num_classes
    preprocessor, gersp_preprocessor = supervised.model.data_preprocessor, gersp.model.data_preprocessor
    assert (preprocessor.mean, preprocessor.std, preprocessor.to_rgb) == (
        gersp_preprocessor.mean, gersp_preprocessor.std, gersp_preprocessor.to_rgb)
    natural = gersp.train_dataloader.dataset.natural
    dataset = supervised.train_dataloader.dataset
    assert (dataset.type, dataset.data_root, dataset.pipeline, dataset.metainfo) == (
        natural.type, natural.data_root, natural.pipeline, natural.metainfo)
    assert supervised.optim_wrapper == gersp.optim_wrapper
    # as many natural images as GeRSP's classifier sees, within 1%
    batch = gersp.train_dataloader.batch_size
    gersp_natural_images = gersp.train_cfg.max_epochs * (FULL_SIZES.rs_images // batch) * batch
    natural_images = 8 * FULL_SIZES.natural_per_class
    supervised_images = supervised.train_cfg.max_epochs * (natural_images // batch) * batch
    assert supervised_images == pytest.approx(gersp_natural_images, rel=0.01)


def test_every_pre_training_is_monitored_alike_and_saves_its_last_checkpoint(configs):
    monitors = []
    for key, cfg in configs.items():
        hooks = [hook for hook in cfg.custom_hooks if hook.type == 'KNNMonitorHook']
        assert len(hooks) == 1, key
        monitors.append(hooks[0])
        assert cfg.default_hooks.checkpoint.interval == cfg.train_cfg.max_epochs, key
        assert cfg.randomness.seed == configs['gersp'].randomness.seed
    assert all(monitor == monitors[0] for monitor in monitors)
    assert monitors[0].to_rgb and monitors[0].mean == configs['gersp'].model.data_preprocessor.mean


def test_the_demo_speaks_the_downstream_suites_vocabulary():
    """Its tasks and inits are the suite's types; a task's metric is what its config's evaluator logs, and its
    configs are named as the suite's variants (``-gersp``: a checkpoint, ``-random``)."""
    for name, task in DEMO_TASKS.items():
        assert isinstance(task, TaskSpec) and task.name == name and tuple(task.configs) == DEMO_VARIANTS
        assert all(os.path.isfile(config) for config in task.configs.values()), task.configs
        assert primary_metric(load_config(task.configs['gersp'])) == (task.metric, task.scale)
    assert all(isinstance(init, Init) for init in DEMO_INITS)
    assert [(init.label, init.variant) for init in DEMO_INITS] == [
        ('gersp', 'gersp'), ('moco', 'gersp'), ('supervised', 'gersp'), ('random', 'random')]
    assert DEMO_INITS[-1].variant == NAMED_INITS['random'] and PRETRAININGS == DEMO_INITS[:-1]
