# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Tiny GeRSP pre-training -> backbone export -> fine-tuning + evaluation downstream.

The detector is trained with the UNMODIFIED ``tools/train.py`` that the installed mmdet package ships,
to prove the configs work in existing mm pipelines; the checks assert that the exported weights are the
ones inside each downstream backbone.
"""
from pathlib import Path

import mmdet
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from tests.det.dior_helpers import dior_xml, write_dior
from tests.helpers import ROOT, run_python, shrink_to_nwpu_sample, write_nwpu_split
from tests.seg.potsdam_helpers import shrink_to, write_potsdam_layout
from tests.tiny_configs import det_config_text

MMDET_TRAIN = Path(mmdet.__file__).parent / '.mim' / 'tools' / 'train.py'


@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    """A 2-iteration GeRSP ResNet-50 pre-training on the sample images, exported in the mm layout."""
    work_dir = tmp_path_factory.mktemp('pretrain')
    run_python('tools/train.py', 'configs/pretrain/gersp_r18_tiny.py', '--work-dir', work_dir, '--cfg-options',
               'model.backbone.depth=50', 'model.neck.hid_channels=32', 'train_cfg.max_epochs=1')
    out = run_python('tools/model_converters/extract_backbone.py', work_dir / 'epoch_1.pth', work_dir / 'backbone.pth')
    assert 'recognised layout: gersp_mm; ResNet-50' in out
    pretrained = torch.load(work_dir / 'epoch_1.pth', map_location='cpu', weights_only=False)['state_dict']
    backbone = torch.load(work_dir / 'backbone.pth', weights_only=True)['state_dict']
    for key, value in backbone.items():  # the export is the student, not the teacher
        assert torch.equal(value, pretrained[key]), key
    return work_dir / 'backbone.pth', {key[len('backbone.'):]: value for key, value in backbone.items()}


def assert_backbone_initialised_from(cfg, registry_scope, exported_weights):
    """Build the config's model, run its init_weights, and compare the backbone with the export."""
    init_default_scope(registry_scope)
    from mmengine.registry import MODELS
    model = MODELS.build(cfg.model)
    model.init_weights()
    state = model.backbone.state_dict()
    assert set(state) == set(exported_weights)
    for key, value in exported_weights.items():
        assert torch.equal(state[key], value), key


@pytest.mark.slow
def test_detection_with_mmdet_own_train_script(exported, tmp_path):
    checkpoint, weights = exported
    objects = {'00001': [('vehicle', (4, 6, 12, 14)), ('ship', (30, 5, 40, 9))],
               '00002': [('golffield', (2, 2, 62, 62))],
               '11726': [('airplane', (8, 8, 40, 30))], '11727': [('vehicle', (50, 50, 56, 54))]}
    data_root = write_dior(tmp_path / 'DIOR', {i: dior_xml(i, o, width=64, height=64) for i, o in objects.items()},
                           dict(train=['00001'], val=['00002'], test=['11726', '11727']), image_size=(64, 64))
    config = tmp_path / 'retinanet_tiny_dior.py'
    model = f'dict(backbone=dict(init_cfg=dict(checkpoint={str(checkpoint)!r})), test_cfg=dict(score_thr=0.0))'
    config.write_text(det_config_text('retinanet_r50-gersp_fpn_2x_dior.py', model, data_root, batch_size=2) +
                      'default_hooks = dict(logger=dict(interval=1))\n')
    cfg = Config.fromfile(str(config))
    assert_backbone_initialised_from(cfg, 'mmdet', weights)
    log = run_python(MMDET_TRAIN, config, '--work-dir', tmp_path / 'work')
    assert f'Loads checkpoint by local backend from path: {checkpoint}' in log
    assert 'pascal_voc/mAP:' in log and 'coco/bbox_mAP_50:' in log
    trained = torch.load(tmp_path / 'work' / 'epoch_1.pth', map_location='cpu', weights_only=False)['state_dict']
    frozen = [key for key in weights if key.startswith(('conv1.', 'bn1.', 'layer1.')) or 'running_' in key]
    for key in frozen:  # frozen_stages=1 and norm_eval keep these exactly as exported
        assert torch.equal(trained[f'backbone.{key}'], weights[key]), key
    assert not torch.equal(trained['backbone.layer4.2.conv3.weight'], weights['layer4.2.conv3.weight'])


@pytest.mark.slow
def test_segmentation_from_the_exported_backbone(exported, tmp_path, one_thread):
    from mmengine.runner import Runner
    checkpoint, weights = exported
    data_root = str(tmp_path / 'potsdam')
    write_potsdam_layout(data_root)
    cfg = Config.fromfile(str(ROOT / 'configs/seg/potsdam/deeplabv3plus_r50-gersp-d8_4xb4-80k_potsdam-512x512.py'))
    cfg = shrink_to(cfg, 32, data_root, str(tmp_path / 'work'))
    cfg.model.backbone.init_cfg = dict(type='Pretrained', checkpoint=str(checkpoint), prefix='backbone.')
    assert_backbone_initialised_from(cfg, 'mmseg', weights)
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.val()
    assert {'mIoU', 'mFscore', 'mIoU_no_clutter', 'mFscore_no_clutter'} <= metrics.keys()


def test_classification_from_the_exported_backbone(exported, tmp_path, one_thread):
    from mmengine.runner import Runner
    checkpoint, weights = exported
    train_list, test_list = map(str, write_nwpu_split(tmp_path / 'meta'))
    cfg = Config.fromfile(str(ROOT / 'configs/cls/nwpu45/resnet50-gersp_8xb32_nwpu45-20p.py'))
    shrink_to_nwpu_sample(cfg, train_list, test_list, str(tmp_path / 'work'))
    cfg.model.backbone.init_cfg.checkpoint = str(checkpoint)
    assert_backbone_initialised_from(cfg, 'mmpretrain', weights)
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert 'accuracy/top1' in runner.val()
