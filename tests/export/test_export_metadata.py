# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Export metadata: the training input read from the checkpoint's saved config, stored as plain data that
loads with ``weights_only=True`` and that downstream loading ignores."""
import subprocess
import sys

import torch
import torchvision
from mmengine.config import Config
from mmpretrain.registry import MODELS

from gersp_mm.export import (
    DEFAULT_PREPROCESSING,
    export_metadata,
    extract_resnet_backbone,
    parse_config_text,
    read_export_metadata,
    read_preprocessing,
    to_mm_checkpoint,
    to_torchvision_state_dict,
)
from gersp_mm.export.config_literals import UNKNOWN
from tests.helpers import ROOT

TOOL = 'tools/model_converters/extract_backbone.py'

# The parts of an mmselfsup 0.x config that the authors' GeRSP config has (mmcv 1.x ``Config.pretty_text`` as
# saved in ``meta['config']``): torchvision-style statistics of [0, 1] images decoded by PIL (RGB), 224 px crops.
MMSELFSUP0_CONFIG = """model = dict(
    type='MoCoGeRSP',
    queue_len=65536,
    feat_dim=128,
    momentum=0.999,
    backbone=dict(type='ResNet', depth=18, in_channels=3, out_indices=[4], norm_cfg=dict(type='BN')))
data_source = 'ImageList'
dataset_type = 'ContrastiveDataset'
img_norm_cfg = dict(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
train_pipeline = [
    dict(type='RandomResizedCrop', size=224, scale=(0.2, 1.0)),
    dict(type='RandomGrayscale', p=0.2),
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.4),
    dict(type='RandomHorizontalFlip'),
    dict(type='ToTensor'),
    dict(type='Normalize', mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
]
optimizer = dict(type='SGD', lr=0.03, weight_decay=0.0001, momentum=0.9)
"""


def resnet18_state():
    torch.manual_seed(0)
    return {k: v for k, v in torchvision.models.resnet18().state_dict().items() if not k.startswith('fc.')}


def run_tool(*args):
    return subprocess.run([sys.executable, TOOL, *map(str, args)], cwd=ROOT, capture_output=True, text=True)


def test_gersp_mm_checkpoint_metadata_from_its_real_config(tmp_path):
    """A gersp_mm pre-training checkpoint keeps its config in meta['cfg'] (mmengine): the tiny config's own
    statistics, channel conversion and 64 px crops are exported and printed, nothing defaulted."""
    cfg = Config.fromfile(str(ROOT / 'configs' / 'pretrain' / 'gersp_r18_tiny.py'))
    preprocessor = cfg.model.data_preprocessor
    (size, ) = {t['output_size'] for t in cfg.train_dataloader.dataset.rs.pipeline if 'output_size' in t}
    checkpoint = dict(meta=dict(cfg=cfg.pretty_text, epoch=1),
                      state_dict={f'backbone.{k}': v for k, v in resnet18_state().items()})
    torch.save(checkpoint, tmp_path / 'epoch_1.pth')
    result = run_tool(tmp_path / 'epoch_1.pth', tmp_path / 'r18.pth')
    assert result.returncode == 0, result.stderr
    exported = torch.load(tmp_path / 'r18.pth', weights_only=True)
    meta = read_export_metadata(exported)
    assert meta == dict(layout='mm', arch='resnet18', depth=18, source='epoch_1.pth', source_layout='mm_model',
                        mean=list(preprocessor.mean), std=list(preprocessor.std),
                        channel_order='RGB' if preprocessor.to_rgb else 'BGR', input_size=size, defaults=[])
    assert f'input_size: {size}\n' in result.stdout and '(default)' not in result.stdout
    assert f'mean: {list(preprocessor.mean)}' in result.stdout


def test_device_augmentation_config_is_rgb():
    """The GPU data path decodes to RGB: its data preprocessor has no to_rgb key and is RGB all the same."""
    cfg = Config.fromfile(str(ROOT / 'configs' / 'pretrain' / 'gersp_r18_tiny_gpu-aug.py'), import_custom_modules=False)
    assert cfg.model.data_preprocessor.type == 'DeviceAugmentDataPreprocessor'
    assert 'to_rgb' not in cfg.model.data_preprocessor
    assert read_preprocessing(dict(meta=dict(cfg=cfg.pretty_text))).channel_order == 'RGB'


def test_released_checkpoint_metadata_from_its_mmcv_config():
    """mmcv 1.x keeps the config in meta['config']; [0, 1] statistics are given on the 0-255 scale."""
    preprocessing = read_preprocessing(dict(meta=dict(config=MMSELFSUP0_CONFIG, epoch=100), state_dict={}))
    expected_mean = [m * 255 for m in (0.485, 0.456, 0.406)]
    expected_std = [s * 255 for s in (0.229, 0.224, 0.225)]
    assert torch.allclose(torch.tensor(preprocessing.mean), torch.tensor(expected_mean))
    assert torch.allclose(torch.tensor(preprocessing.std), torch.tensor(expected_std))
    assert (preprocessing.channel_order, preprocessing.input_size, preprocessing.defaults) == ('RGB', 224, ())


def test_what_the_checkpoint_does_not_say_is_defaulted_and_marked():
    assert read_preprocessing({'conv1.weight': torch.zeros(1)}) == (
        DEFAULT_PREPROCESSING['mean'], DEFAULT_PREPROCESSING['std'], 'RGB', 224,
        ('mean', 'std', 'channel_order', 'input_size'))
    bgr = """model = dict(data_preprocessor=dict(type='DetDataPreprocessor', mean=[1, 2, 3], std=[4, 5, 6],
                                       bgr_to_rgb=False))"""
    preprocessing = read_preprocessing(dict(meta=dict(cfg=bgr)))
    assert (preprocessing.mean, preprocessing.std, preprocessing.channel_order) == ([1, 2, 3], [4, 5, 6], 'BGR')
    assert preprocessing.defaults == ('input_size', )


def test_config_text_is_parsed_never_executed(tmp_path):
    marker = tmp_path / 'executed'
    text = f"""import os
evil = os.system('touch {marker}')
crop = dict(type='RandomResizedCrop', scale=__import__('os').system('touch {marker}'), ratio=(-1, +2))
size = 192
"""
    variables = parse_config_text(text)
    assert not marker.exists()
    assert variables['evil'] is UNKNOWN and variables['size'] == 192
    assert variables['crop'] == dict(type='RandomResizedCrop', scale=UNKNOWN, ratio=(-1, 2))
    assert parse_config_text('model = dict(') == {}


def test_downstream_loading_ignores_the_metadata(tmp_path):
    """mm layout -> mmpretrain ResNet through init_cfg Pretrained; torchvision layout -> strict load_state_dict;
    both files load with weights_only=True and give their metadata back."""
    state = resnet18_state()
    checkpoint = dict(meta=dict(config=MMSELFSUP0_CONFIG), state_dict={f'backbone.{k}': v for k, v in state.items()})
    backbone = extract_resnet_backbone(checkpoint, 'src.pth')
    for layout, convert in (('mm', to_mm_checkpoint), ('torchvision', to_torchvision_state_dict)):
        metadata = export_metadata(layout, 'src.pth', backbone.layout, backbone.depth, read_preprocessing(checkpoint))
        torch.save(convert(backbone, metadata), tmp_path / f'{layout}.pth')
        assert read_export_metadata(torch.load(tmp_path / f'{layout}.pth', weights_only=True)) == metadata

    pretrained = MODELS.build(dict(type='ResNet', depth=18, init_cfg=dict(
        type='Pretrained', checkpoint=str(tmp_path / 'mm.pth'), prefix='backbone.', _scope_='gersp_mm')))
    pretrained.init_weights()
    for key, value in pretrained.state_dict().items():
        assert torch.equal(value, state[key]), key
    model = torchvision.models.resnet18()
    model.load_state_dict(torch.load(tmp_path / 'torchvision.pth', weights_only=True), strict=True)
    assert all(torch.equal(model.state_dict()[key], value) for key, value in state.items())
