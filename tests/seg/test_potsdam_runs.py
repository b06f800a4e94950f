# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The real Potsdam crop through the config's pipeline, and a tiny train + evaluation run of a segmentor."""
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmengine.utils import import_modules_from_strings
from mmseg.registry import DATASETS
from PIL import Image

from tests.helpers import ROOT
from tests.seg.potsdam_helpers import CROP, POTSDAM, shrink_to, write_potsdam_layout

CONFIG_DIR = osp.join(ROOT, 'configs', 'seg', 'potsdam')


def load(name, config_file=str):
    cfg = Config.fromfile(config_file(osp.join(CONFIG_DIR, name)))
    import_modules_from_strings(**cfg.custom_imports)
    init_default_scope(cfg.default_scope)
    return cfg


def expected_reduced_label(raw):
    """mmseg's reduce_zero_label: 0 (boundary) -> 255 (ignored), k -> k - 1."""
    reduced = raw.astype(np.int64) - 1
    reduced[raw == 0] = 255
    return reduced


def test_real_crop_through_potsdam_train_pipeline():
    cfg = load('deeplabv3plus_r50-gersp-d8_4xb4-80k_potsdam-512x512.py')
    dataset_cfg = cfg.train_dataloader.dataset
    dataset_cfg.update(data_root=POTSDAM, data_prefix=dict(img_path='img_dir', seg_map_path='ann_dir'))
    dataset = DATASETS.build(dataset_cfg)
    assert len(dataset) == 1 and dataset.reduce_zero_label
    assert dataset.metainfo['classes'][-1] == 'clutter' and len(dataset.metainfo['classes']) == 6

    raw = np.array(Image.open(osp.join(POTSDAM, 'ann_dir', CROP)))
    assert raw.shape == (512, 512) and set(np.unique(raw)) == {0, 1, 2, 3, 4, 5}
    load_image, load_annotations = dataset.pipeline.transforms[:2]
    assert type(load_annotations).__name__ == 'LoadAnnotations'
    results = load_annotations(load_image(dataset.get_data_info(0)))
    assert results['img'].shape == (512, 512, 3)
    np.testing.assert_array_equal(results['gt_seg_map'], expected_reduced_label(raw))
    assert np.sum(results['gt_seg_map'] == 255) == 24696  # the boundary pixels of the crop

    np.random.seed(0)
    packed = dataset[0]
    gt = packed['data_samples'].gt_sem_seg.data.numpy()
    assert gt.shape[0] == 1 and max(gt.shape[1:]) <= 512
    assert set(np.unique(gt)) <= {0, 1, 2, 3, 4, 255}
    assert packed['inputs'].shape[1:] == gt.shape[1:]


@pytest.mark.slow
@pytest.mark.parametrize('name, config_file',
                         [('deeplabv3plus_r50-gersp-d8_4xb4-80k_potsdam-512x512.py', 'checkout'),
                          ('psanet_r50-gersp-d8_4xb4-80k_potsdam-512x512.py', 'gersp_mm::')],
                         indirect=['config_file'])
def test_segmentor_trains_and_evaluates(name, tmp_path, one_thread, config_file):
    """Each segmentor trains and evaluates; each way of loading a config (the checkout's file, a user's
    ``gersp_mm::`` config) with one of them: the model code is the same under both scopes."""
    data_root = str(tmp_path / 'potsdam')
    write_potsdam_layout(data_root)
    cfg = shrink_to(load(name, config_file), 32, data_root, str(tmp_path / 'work_dir'))
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2
    metrics = runner.val()
    for key in ('aAcc', 'mIoU', 'mFscore', 'mIoU_no_clutter', 'mFscore_no_clutter'):
        assert key in metrics and 0 <= metrics[key] <= 100, key
