# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The DOTA-v1.0 oriented-box configs of configs/det: mmrotate's own DOTA configs with only the dataset (the
patches of prepare_dota.py --box-type obb, difficult objects ignored in val), the backbone init and this
package's runtime changed; their runtime is the DIOR-R configs' (tests/det/test_rotated_dior_r_configs.py)."""
import os.path as osp
from pathlib import Path

import mmrotate
import pytest

from tests.config_helpers import assert_only_the_init_differs, read_config
from tests.det.test_rotated_dior_r_configs import STOCK_BACKBONE, plain

CONFIG_DIR = Path(__file__).parents[2] / 'configs' / 'det'
MMROTATE_CONFIGS = Path(osp.dirname(mmrotate.__file__)) / '.mim' / 'configs'
DETECTORS = {  # our detector -> mmrotate's DOTA config it inherits
    'oriented-rcnn-le90': 'oriented_rcnn/oriented-rcnn-le90_r50_fpn_1x_dota.py',
    'rotated-retinanet-rbox-le90': 'rotated_retinanet/rotated-retinanet-rbox-le90_r50_fpn_1x_dota.py',
}
INITS = ('gersp', 'in1k', 'random')
DATASETS = {  # split -> what our configs change in mmrotate's dataset of that split
    'train': dict(type='DOTAOBBDataset', data_root='data/DOTA/split_obb_1024_824/', ann_file='train/annfiles/',
                  data_prefix=dict(img_path='train/images/')),
    'val': dict(type='DOTAOBBDataset', data_root='data/DOTA/split_obb_1024_824/', ann_file='val/annfiles/',
                data_prefix=dict(img_path='val/images/'), diff_thr=0),
}


def ours(detector: str, init: str = 'gersp'):
    return read_config(str(CONFIG_DIR / f'{detector}_r50-{init}_fpn_1x_dota.py'))


def test_the_dota_obb_config_set_is_complete():
    expected = {f'{detector}_r50-{init}_fpn_1x_dota.py' for detector in DETECTORS for init in INITS}
    assert {path.name for path in CONFIG_DIR.glob('*_fpn_1x_dota.py')} == expected


@pytest.mark.parametrize('detector', DETECTORS)
def test_mmrotates_dota_config_with_only_the_dataset_init_and_runtime_changed(detector):
    reference = assert_only_the_init_differs(*(ours(detector, init) for init in INITS))
    assert ours(detector, 'random').model.backbone.init_cfg is None
    assert plain(reference['model']['backbone']) == STOCK_BACKBONE
    cfg, base = ours(detector), read_config(str(MMROTATE_CONFIGS / DETECTORS[detector]))
    model, their_model = plain(cfg.model), plain(base.model)
    model['backbone'].pop('init_cfg'), their_model['backbone'].pop('init_cfg')
    assert model == their_model
    for key in ('default_scope', 'optim_wrapper', 'param_scheduler', 'train_cfg', 'val_cfg', 'test_cfg',
                'val_evaluator', 'test_evaluator', 'env_cfg', 'log_processor', 'angle_version'):
        assert plain(cfg[key]) == plain(base[key]), key
    dior_r = read_config(str(CONFIG_DIR / f'{detector}_r50-gersp_fpn_1x_dior-r.py'))
    for key in ('default_hooks', 'visualizer', 'custom_imports'):
        assert plain(cfg[key]) == plain(dior_r[key]), key
    for split, dataset in (('train', 'train'), ('val', 'val'), ('test', 'val')):
        loader, their_loader = plain(cfg[f'{split}_dataloader']), plain(base[f'{split}_dataloader'])
        changed, their_dataset = loader.pop('dataset'), their_loader.pop('dataset')
        assert loader == their_loader, split
        assert changed == dict(their_dataset, **DATASETS[dataset]), split
