# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Data roots set where the docs say (the config's root variables, by ``--cfg-options``) are the ones read.

The wrong implementation caught: mmengine substitutes a config's variables when it reads the file, so
``--cfg-options data_root=...`` merged afterwards changed only the variable, and the run trained on the
config's own folders with exit status 0. An override that cannot take effect must be refused by name.
"""
import shutil
import subprocess
import sys

import pytest

from gersp_mm.utils import ConfigOverrideError, load_tool_config
from tests.helpers import ROOT

DATA = ROOT / 'tests/data/pretrain'
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


@pytest.mark.slow
def test_pretraining_reads_the_roots_given_on_the_command_line_and_logs_each_source_count(tmp_path):
    """tools/train.py as the docs show it: the two roots by --cfg-options; the log counts each source."""
    rs, natural = tmp_path / 'aerial', tmp_path / 'imagenet'
    (rs / 'scenes').mkdir(parents=True)
    for image in sorted((DATA / 'rs').glob('*/*.jpg'))[:5]:  # 5 of the config's own 6 images
        shutil.copy(image, rs / 'scenes' / image.name)
    shutil.copytree(DATA / 'natural/train/n01440764', natural / 'train/n01440764')
    shutil.copytree(DATA / 'natural/train/n02102040', natural / 'train/n02102040')
    shutil.copy(DATA / 'natural/val/n02102040/ILSVRC2012_val_00004650.JPEG', natural / 'train/n02102040')
    result = subprocess.run(
        [sys.executable, 'tools/train.py', 'configs/pretrain/gersp_r18_tiny.py', '--work-dir', str(tmp_path / 'run'),
         '--cfg-options', f'rs_data_root={rs}/', f'natural_data_root={natural}/', 'train_cfg.max_epochs=1',
         'train_dataloader.sampler.epoch_length=1', 'default_hooks.checkpoint.interval=100'],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env={'PYTHONPATH': str(ROOT), 'OMP_NUM_THREADS': '1',
                                                                    'PATH': '/usr/bin:/bin'})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert (f'Pre-training data: remote-sensing source: 5 images (UnlabeledImageFolder, {rs}/); natural source: '
            f'5 images in 2 classes (CustomDataset, {natural}/).') in output
    assert f'rs_data_root={rs}/ also set train_dataloader.dataset.rs.data_root' in output


@pytest.mark.parametrize('config, variable', [
    ('configs/det/faster-rcnn_r50-gersp_fpn_2x_dior.py', 'data_root'),
    ('configs/seg/potsdam/upernet_r50-gersp_4xb4-80k_potsdam-512x512.py', 'data_root'),
    ('configs/cls/nwpu45/resnet50-gersp_8xb32_nwpu45-20p.py', 'data_root'),
    ('configs/demo/resnet18-gersp_demo-nwpu.py', 'data_root'),
])
def test_a_root_variable_reaches_every_dataset_of_a_downstream_config(config, variable):
    cfg = load_tool_config(str(ROOT / config), {variable: '/data/mine/'})
    roots = {loader: cfg[loader].dataset.data_root for loader in LOADERS}
    assert roots == dict.fromkeys(LOADERS, '/data/mine/')


def test_a_root_variable_reaches_the_sources_of_the_moco_demo_and_the_knn_monitor():
    """configs/demo/mocov2_r18_demo.py takes its roots from its base with {{_base_.rs_data_root}}."""
    cfg = load_tool_config(str(ROOT / 'configs/demo/mocov2_r18_demo.py'),
                           {'rs_data_root': '/data/maid/', 'nwpu_data_root': '/data/nwpu/'})
    assert cfg.train_dataloader.dataset.data_root == '/data/maid/'
    knn = [hook for hook in cfg.custom_hooks if 'dataset' in str(hook)]
    assert knn and all('/data/nwpu/' in str(hook) for hook in knn)


def test_an_explicit_key_wins_over_the_variable():
    cfg = load_tool_config(str(ROOT / 'configs/det/faster-rcnn_r50-gersp_fpn_2x_dior.py'),
                           {'data_root': '/data/a/', 'val_dataloader.dataset.data_root': '/data/b/'})
    assert [cfg[loader].dataset.data_root for loader in LOADERS] == ['/data/a/', '/data/b/', '/data/a/']


@pytest.mark.parametrize('options, message', [
    ({'rs_file_list': 'list.txt'},
     '--cfg-options rs_file_list: rs_file_list is a variable of configs/pretrain/gersp_r18_tiny.py, already '
     'substituted where it is used when the file was read, so setting it changes nothing; set the keys that hold '
     'its value instead: train_dataloader.dataset.rs.ann_file'),
    ({'view_cfg.output_size': 32},
     '--cfg-options view_cfg.output_size: view_cfg is a variable of configs/pretrain/gersp_r18_tiny.py that no key '
     'of the config uses, so setting it changes nothing'),
    ({'optim_wraper.optimizer.lr': 0.1},
     '--cfg-options optim_wraper.optimizer.lr: optim_wraper is neither a key of configs/pretrain/gersp_r18_tiny.py '
     'nor one the runner reads, so setting it changes nothing (did you mean optim_wrapper?)'),
])
def test_an_override_that_would_change_nothing_is_refused_by_name(options, message, monkeypatch):
    monkeypatch.chdir(ROOT)
    with pytest.raises(ConfigOverrideError) as info:
        load_tool_config('configs/pretrain/gersp_r18_tiny.py', options)
    assert str(info.value) == message


def test_an_unused_root_variable_names_the_one_the_datasets_use():
    """The oriented DOTA configs inherit mmrotate's ``data_root``, which none of their datasets reads."""
    config = 'configs/det/oriented-rcnn-le90_r50-gersp_fpn_1x_dota.py'
    with pytest.raises(ConfigOverrideError, match=r'data_root is a variable of .* that no key of the config uses, so '
                       r'setting it changes nothing \(did you mean dota_obb_data_root\?\)$'):
        load_tool_config(str(ROOT / config), {'data_root': '/data/DOTA/split/'})
    cfg = load_tool_config(str(ROOT / config), {'dota_obb_data_root': '/data/DOTA/split/'})
    assert [cfg[loader].dataset.data_root for loader in LOADERS] == ['/data/DOTA/split/'] * 3


def test_a_config_that_redefines_a_root_variable_of_its_base_is_refused(tmp_path):
    """A user's config inheriting ours: the variable alone does not reach the keys its base built from it."""
    config = tmp_path / 'my_gersp.py'
    base = f"_base_ = {str(ROOT / 'configs/pretrain/gersp_r50.py')!r}\nrs_data_root = '/data/aerial/'\n"
    config.write_text(base)
    with pytest.raises(ConfigOverrideError) as info:
        load_tool_config(str(config))
    assert str(info.value) == (
        f"{config} sets rs_data_root = '/data/aerial/', but train_dataloader.dataset.rs.data_root still holds the "
        "value of its base ('data/MillionAID/test/'): mmengine substitutes a variable where its base file uses it; "
        'set that key in my_gersp.py too')
    config.write_text(base + 'train_dataloader = dict(dataset=dict(rs=dict(data_root=rs_data_root)))\n')
    assert load_tool_config(str(config)).train_dataloader.dataset.rs.data_root == '/data/aerial/'
