# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""A backbone checkpoint that does not fit the config's backbone stops with one sentence, for the det, seg and
cls configs of this repository (their ``init_cfg`` builds gersp_mm's ``Pretrained``), instead of mmengine's
"do not match exactly" log and a partly random backbone."""
import os
import subprocess
import sys

import pytest
import torch
import torchvision
from mmengine.config import Config
from mmengine.registry import MODELS, WEIGHT_INITIALIZERS, init_default_scope

from gersp_mm.cls.datasets import NWPU_RESISC45_CLASSES
from gersp_mm.export import BackboneMismatchError, CheckedPretrainedInit, resnet_reference_shapes
from tests.helpers import ROOT

DET_CONFIG = ROOT / 'configs' / 'det' / 'faster-rcnn_r50-gersp_fpn_2x_dior.py'
SEG_CONFIG = ROOT / 'configs' / 'seg' / 'potsdam' / 'deeplabv3plus_r50-gersp-d8_4xb4-80k_potsdam-512x512.py'
CLS_CONFIG = ROOT / 'configs' / 'cls' / 'nwpu45' / 'resnet50-gersp_8xb32_nwpu45-20p.py'


def shaped_state(depth, prefix='backbone.'):
    """The tensor names and shapes of a ResNet-``depth`` with a one-element storage each (a tiny file)."""
    return {prefix + key: torch.zeros(()).expand(shape) for key, shape in resnet_reference_shapes(depth).items()}


def build_backbone(config, checkpoint, **backbone_options):
    """The config's backbone, built in its default scope, with ``init_cfg.checkpoint = checkpoint``."""
    cfg = Config.fromfile(str(config))
    init_default_scope(cfg.default_scope)
    backbone_cfg = cfg.model.backbone
    backbone_cfg.init_cfg.checkpoint = str(checkpoint)
    backbone_cfg.update(backbone_options)
    return MODELS.build(backbone_cfg)


def test_configs_build_the_checked_pretrained(config_file):
    """The det/seg/cls base configs (also inherited through gersp_mm::) get gersp_mm's Pretrained."""
    for config in (DET_CONFIG, SEG_CONFIG, CLS_CONFIG):
        cfg = Config.fromfile(config_file(config))
        init_cfg = cfg.model.backbone.init_cfg
        assert (init_cfg.type, init_cfg.prefix, init_cfg._scope_) == ('Pretrained', 'backbone.', 'gersp_mm')
        init_default_scope(cfg.default_scope)
        assert type(WEIGHT_INITIALIZERS.build(init_cfg)) is CheckedPretrainedInit


def test_r18_export_into_r50_detector_is_one_sentence(tmp_path, config_file):
    torch.save(dict(state_dict=shaped_state(18)), tmp_path / 'r18.pth')
    backbone = build_backbone(config_file(DET_CONFIG), tmp_path / 'r18.pth')
    with pytest.raises(BackboneMismatchError) as error:
        backbone.init_weights()
    assert str(error.value) == (
        f'{tmp_path}/r18.pth holds a ResNet-18 backbone but the config builds a ResNet-50 '
        '(model.backbone.depth=50): use a ResNet-50 checkpoint or a config made for ResNet-18.')


def test_missing_and_misshaped_tensors_in_segmentor(tmp_path):
    state = shaped_state(50)
    del state['backbone.layer3.2.bn2.running_var']
    state['backbone.conv1.weight'] = torch.zeros(64, 3, 3, 3)
    torch.save(dict(state_dict=state), tmp_path / 'cut.pth')
    backbone = build_backbone(SEG_CONFIG, tmp_path / 'cut.pth')
    total = len(backbone.state_dict())
    with pytest.raises(BackboneMismatchError) as error:
        backbone.init_weights()
    assert str(error.value) == (
        f'{tmp_path}/cut.pth does not fit the ResNet-50 backbone of the config: 1 of its {total} tensors are '
        'missing from the checkpoint (layer3.2.bn2.running_var) and 1 have another shape (conv1.weight: '
        '(64, 3, 3, 3) in the checkpoint, (64, 3, 7, 7) in the model).')


def test_checkpoint_without_the_prefix_names_its_layout(tmp_path):
    torch.save(shaped_state(50, prefix=''), tmp_path / 'tv.pth')
    backbone = build_backbone(CLS_CONFIG, tmp_path / 'tv.pth')
    with pytest.raises(BackboneMismatchError, match=r"tv.pth holds no tensors under the prefix 'backbone.' of "
                       r"init_cfg \(it is a torchvision checkpoint with its backbone under ''\): export its "
                       r'backbone with tools/model_converters/extract_backbone.py or set init_cfg.prefix.'):
        backbone.init_weights()


def test_fitting_checkpoint_loads_exactly(tmp_path):
    """All tensors loaded, mmpretrain's zero-init of the last BN of each block not applied over them, BN
    counters not required (as mmengine's loader)."""
    torch.manual_seed(0)
    model = torchvision.models.resnet18()
    for value in model.state_dict().values():
        if value.is_floating_point():
            value.copy_(torch.randn_like(value))
    state = {k: v for k, v in model.state_dict().items()
             if not (k.startswith('fc.') or k.endswith('num_batches_tracked'))}
    torch.save(dict(state_dict={f'backbone.{k}': v for k, v in state.items()}), tmp_path / 'r18.pth')
    backbone = build_backbone(CLS_CONFIG, tmp_path / 'r18.pth', depth=18)
    backbone.init_weights()
    loaded = backbone.state_dict()
    for key, value in state.items():
        assert torch.equal(loaded[key], value), key


def test_without_the_scope_mmengine_pretrained_is_unchanged(tmp_path):
    """Only init_cfgs with _scope_='gersp_mm' are checked: others keep mmengine's lenient loading."""
    torch.save(dict(state_dict=shaped_state(18)), tmp_path / 'r18.pth')
    cfg = Config.fromfile(str(CLS_CONFIG))
    init_default_scope(cfg.default_scope)
    cfg.model.backbone.init_cfg = dict(type='Pretrained', checkpoint=str(tmp_path / 'r18.pth'), prefix='backbone.')
    backbone = MODELS.build(cfg.model.backbone)
    backbone.init_weights()  # no error: the tensors of matching shape load, the others keep their init
    assert not backbone.conv1.weight.any() and backbone.layer4[0].conv3.weight.any()


def test_train_tool_stops_before_training(tmp_path):
    """tools/train.py on the NWPU config with a ResNet-18 checkpoint: an error with the sentence, no checkpoint."""
    nwpu = ROOT / 'tests' / 'data' / 'cls' / 'nwpu'
    images = sorted(path.relative_to(nwpu).as_posix() for path in nwpu.glob('*/*.jpg'))
    lines = ''.join(f'{image} {NWPU_RESISC45_CLASSES.index(image.split("/")[0])}\n' for image in images)
    (tmp_path / 'list.txt').write_text(lines)
    torch.save(dict(state_dict=shaped_state(18)), tmp_path / 'r18.pth')
    options = [f'model.backbone.init_cfg.checkpoint={tmp_path}/r18.pth', 'train_cfg.max_epochs=1']
    for loader in ('train_dataloader', 'val_dataloader'):
        options += [f'{loader}.dataset.data_root={nwpu}', f'{loader}.dataset.ann_file={tmp_path}/list.txt',
                    f'{loader}.num_workers=0', f'{loader}.persistent_workers=False', f'{loader}.batch_size=2']
    result = subprocess.run([sys.executable, 'tools/train.py', str(CLS_CONFIG), '--work-dir', str(tmp_path / 'work'),
                             '--cfg-options', *options], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert result.returncode == 1
    # the sentence is the tool's only error line (no traceback)
    assert result.stderr == (f'error: {tmp_path}/r18.pth holds a ResNet-18 backbone but the config builds a '
                             'ResNet-50 (model.backbone.depth=50): use a ResNet-50 checkpoint or a config made for '
                             'ResNet-18.\n'), result.stderr[-3000:]
    assert not list((tmp_path / 'work').glob('*.pth'))
