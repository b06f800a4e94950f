# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""A tiny fine-tuning run + evaluation of the NWPU-RESISC45 config on the real NWPU images."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmengine.utils import import_modules_from_strings

from gersp_mm.cls import read_metric
from tests.helpers import ROOT, shrink_to_nwpu_sample, write_nwpu_split

CONFIG = osp.join(ROOT, 'configs', 'cls', 'nwpu45', 'resnet50-gersp_8xb32_nwpu45-20p.py')


def test_nwpu_finetune_trains_and_evaluates(tmp_path, one_thread, config_file):
    train_list, test_list = map(str, write_nwpu_split(tmp_path / 'meta'))
    cfg = Config.fromfile(config_file(CONFIG))
    import_modules_from_strings(**cfg.custom_imports)
    init_default_scope(cfg.default_scope)
    shrink_to_nwpu_sample(cfg, train_list, test_list, str(tmp_path / 'work_dir'))
    cfg.model.backbone.init_cfg = None

    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1  # 2 training images (one per class), batch 2
    metrics = runner.val()
    assert len(runner.val_dataloader.dataset) == 4
    # the logged top-1 is the share of the model's own predictions that are right, in percent
    right = []
    runner.model.eval()
    with torch.no_grad():
        for batch in runner.val_dataloader:
            predictions = runner.model.val_step(batch)
            right += [int(sample.pred_label.item() == sample.gt_label.item()) for sample in predictions]
    assert len(right) == 4
    assert metrics['accuracy/top1'] == pytest.approx(100 * sum(right) / len(right))
    assert read_metric(cfg.work_dir) == metrics['accuracy/top1']
