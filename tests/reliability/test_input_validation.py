# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Bad input gets an error naming the config key, the folder or the file and line."""
import copy
import os
import shutil
import subprocess
import sys
from types import SimpleNamespace

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmpretrain.datasets.categories import IMAGENET_CATEGORIES

from gersp_mm.compat import setup_dist_without_cuda
from gersp_mm.engine import CrashSafeRunner
from gersp_mm.engine.config_checks import ConfigCheckError, check_config, check_dataloader_cfgs
from gersp_mm.pretrain.datasets import DualSourceDataset
from gersp_mm.pretrain.datasets.imagenet_wnids import IMAGENET1K_WNIDS
from gersp_mm.pretrain.datasets.natural_checks import NaturalDatasetError, check_natural_dataset
from gersp_mm.pretrain.samplers import DualSourceSampler
from tests.helpers import ROOT, free_port

NATURAL = ROOT / 'tests/data/pretrain/natural'
RS = ROOT / 'tests/data/pretrain/rs'


@pytest.fixture(autouse=True)
def mmpretrain_scope():
    init_default_scope('mmpretrain')


@pytest.mark.parametrize('key, value, error, message', [
    ('batch_size', '32', TypeError, "train_dataloader.batch_size must be an int, got '32' (str) (write batch_size=32)"),
    ('batch_size', 0, ValueError, 'train_dataloader.batch_size must be >= 1, got 0'),
    ('batch_size', 2.0, TypeError, 'train_dataloader.batch_size must be an int, got 2.0 (float)'),
    ('num_workers', True, TypeError, 'train_dataloader.num_workers must be an int, got True (bool)'),
    ('num_workers', -1, ValueError, 'train_dataloader.num_workers must be >= 0, got -1'),
    ('pin_memory', 'False', TypeError, "train_dataloader.pin_memory must be True or False, got 'False' (str)"),
])
def test_dataloader_numbers_are_type_checked(key, value, error, message):
    cfg = dict(train_dataloader=dict(batch_size=4, num_workers=0), val_dataloader=None)
    cfg['train_dataloader'][key] = value
    with pytest.raises(error) as info:
        check_dataloader_cfgs(cfg)
    assert str(info.value) == message


def test_the_runner_checks_a_config_before_building_anything(tmp_path):
    cfg = Config.fromfile(str(ROOT / 'configs/pretrain/gersp_r18_tiny.py'))
    cfg.work_dir = str(tmp_path)
    cfg.train_dataloader.batch_size = '32'
    with pytest.raises(TypeError, match=r"train_dataloader.batch_size must be an int, got '32' \(str\)"):
        CrashSafeRunner.from_cfg(cfg)


@pytest.mark.parametrize('kwargs, error, message', [
    (dict(epoch_length=3, batch_size='4'), TypeError,
     "train_dataloader.sampler.batch_size must be an int, got '4' (str) (write batch_size=4)"),
    (dict(epoch_length=3, batch_size=0), ValueError, 'train_dataloader.sampler.batch_size must be >= 1, got 0'),
    (dict(epoch_length=0, batch_size=4), ValueError, 'train_dataloader.sampler.epoch_length must be >= 1, got 0'),
    (dict(epoch_length=2.5, batch_size=4), TypeError,
     'train_dataloader.sampler.epoch_length must be an int, got 2.5 (float)'),
    (dict(seed='0'), TypeError, "train_dataloader.sampler.seed must be an int, got '0' (str) (write seed=0)"),
    (dict(shuffle='yes'), TypeError, "train_dataloader.sampler.shuffle must be True or False, got 'yes' (str)"),
])
def test_sampler_numbers_are_type_checked(kwargs, error, message):
    """The sampler checks its own arguments (the one place), built in Python as from a config."""
    dataset = SimpleNamespace(rs=range(10), natural=range(7))
    with pytest.raises(error) as info:
        DualSourceSampler(dataset, **{'seed': 0, **kwargs})
    assert isinstance(info.value, ConfigCheckError) and str(info.value) == message


def test_a_config_run_meets_the_samplers_check_when_its_loader_is_built():
    """tools/train.py prints a ConfigCheckError as one sentence: the sampler's errors are ones."""
    loader = Config.fromfile(str(ROOT / 'configs/pretrain/gersp_r18_tiny.py')).train_dataloader
    loader.sampler.seed = '0'
    with pytest.raises(ConfigCheckError, match=r"^train_dataloader\.sampler\.seed must be an int, got '0'"):
        Runner.build_dataloader(loader)


def test_host_samplers_are_checked_at_start_and_the_self_checking_one_is_left_to_itself():
    """mmengine's DefaultSampler takes ``shuffle='False'`` as true and does not check: the config check does."""
    def cfg(sampler):
        return dict(val_dataloader=dict(batch_size=2, sampler=sampler))

    with pytest.raises(TypeError, match=r"^val_dataloader\.sampler\.shuffle must be True or False, got 'False'"):
        check_dataloader_cfgs(cfg(dict(type='DefaultSampler', shuffle='False')))
    with pytest.raises(TypeError, match=r"^val_dataloader\.sampler\.seed must be an int, got '1' \(str\)"):
        check_dataloader_cfgs(cfg(dict(type='InfiniteSampler', seed='1')))
    check_dataloader_cfgs(cfg(dict(type='DefaultSampler', shuffle=False, seed=1)))
    check_dataloader_cfgs(cfg(dict(type='DualSourceSampler', seed='0')))  # refused when built (test above)


def test_the_imagenet_class_list_is_complete():
    assert len(IMAGENET1K_WNIDS) == len(set(IMAGENET1K_WNIDS)) == len(IMAGENET_CATEGORIES) == 1000
    assert list(IMAGENET1K_WNIDS) == sorted(IMAGENET1K_WNIDS)
    assert {path.name for path in (NATURAL / 'train').iterdir()} <= set(IMAGENET1K_WNIDS)


@pytest.fixture
def imagenet_root(tmp_path):
    """An ImageNet root with two of the 1000 class folders (real ImageNet images)."""
    shutil.copytree(NATURAL / 'train', tmp_path / 'train')
    return tmp_path


def test_missing_imagenet_class_folders_are_named(imagenet_root):
    cfg = dict(type='ImageNet', data_root=str(imagenet_root), split='train')
    with pytest.raises(NaturalDatasetError) as info:
        check_natural_dataset(cfg)
    message = str(info.value)
    assert message.startswith(f'{imagenet_root / "train"} has 2 of the 1000 class folders; missing: '
                              'n01443537, n01484850, n01491361, ')
    assert '(998 in all)' in message and 'n01440764' not in message
    # the same error when the run builds its two-source dataset
    with pytest.raises(NaturalDatasetError, match='has 2 of the 1000 class folders'):
        DualSourceDataset(rs=dict(type='UnlabeledImageFolder', data_root=str(RS)), natural=cfg)


def test_unexpected_class_folders_are_named(imagenet_root):
    (imagenet_root / 'train' / 'n01440764_old').mkdir()
    cfg = dict(type='CustomDataset', data_root=str(imagenet_root), data_prefix='train',
               metainfo=dict(classes=['n01440764', 'n02102040']))
    with pytest.raises(NaturalDatasetError, match=r'has 3 class folders \(n01440764, n01440764_old, n02102040\)'):
        check_natural_dataset(cfg)


def test_subset_of_named_classes_names_the_missing_ones(imagenet_root):
    cfg = dict(type='CustomDataset', data_root=str(imagenet_root), data_prefix='train',
               metainfo=dict(classes=['n01440764', 'n01443537', 'n02102040']))
    with pytest.raises(NaturalDatasetError, match='has 2 of the 3 class folders; missing: n01443537 '):
        check_natural_dataset(cfg)


def test_malformed_annotation_lines_are_named_by_file_and_line(imagenet_root):
    meta = imagenet_root / 'meta'
    meta.mkdir()
    (meta / 'train.txt').write_text('n01440764/n01440764_10026.JPEG 0\n'
                                    'n01440764/n01440764_10027.JPEG\n'
                                    'n02102040/n02102040_1003.JPEG dog\n'
                                    '\n'
                                    'n02102040/n02102040_1004.JPEG 1000\n'
                                    'n02102040/n02102040_1004.JPEG 217\n')
    with pytest.raises(NaturalDatasetError) as info:
        check_natural_dataset(dict(type='ImageNet', data_root=str(imagenet_root), split='train'))
    assert str(info.value) == (
        f'Malformed annotation list {meta / "train.txt"}; each line must be "<relative image path> <integer '
        'label>":\n'
        "  line 2: 'n01440764/n01440764_10027.JPEG' has no label\n"
        "  line 3: label 'dog' is not an integer\n"
        '  line 4: empty line\n'
        '  line 5: label 1000 is outside the 1000 classes (0-999)')


def test_a_well_formed_dataset_passes(imagenet_root):
    check_natural_dataset(dict(type='CustomDataset', data_root=str(imagenet_root), data_prefix='train'))
    meta = imagenet_root / 'meta'
    meta.mkdir()
    (meta / 'train.txt').write_text('n01440764/n01440764_10026.JPEG 0\nn02102040/n02102040_1003.JPEG 217\n')
    check_natural_dataset(dict(type='ImageNet', data_root=str(imagenet_root), split='train'))


# -- config mistakes found at the start of a run, each in one sentence naming the key ----------------------------

TINY = 'configs/pretrain/gersp_r18_tiny.py'


@pytest.fixture(scope='module')
def tiny_cfg():
    return Config.fromfile(str(ROOT / TINY))


@pytest.mark.parametrize('options, error, message', [
    # CheckpointHook takes any keyword and hands it to save_checkpoint: the typo failed an epoch later
    ({'default_hooks.checkpoint.max_keep_ckpt': 1}, ConfigCheckError,
     'default_hooks.checkpoint.max_keep_ckpt is not an argument of AtomicCheckpointHook (did you mean '
     'max_keep_ckpts?)'),
    ({'default_hooks.non_finite_guard.max_skip': 3}, ConfigCheckError,
     'default_hooks.non_finite_guard.max_skip is not an argument of NonFiniteGuardHook (did you mean max_skips?)'),
    ({'default_hooks.checkpoint.interval': '1'}, TypeError,
     "default_hooks.checkpoint.interval must be a number, got '1' (str) (write interval=1)"),
    ({'optim_wrapper.optimizer.lr': '0.01'}, TypeError,
     "optim_wrapper.optimizer.lr must be a number, got '0.01' (str) (write lr=0.01)"),
    ({'model.alpha': '1.0'}, TypeError, "model.alpha must be a number, got '1.0' (str) (write alpha=1.0)"),
    ({'train_cfg.max_epochs': '2'}, TypeError,
     "train_cfg.max_epochs must be an int, got '2' (str) (write max_epochs=2)"),
    ({'train_dataloader.sampler.batch_size': 8}, ConfigCheckError,
     'train_dataloader.sampler.batch_size=8 differs from train_dataloader.batch_size=4: the sampler would count its '
     'epoch in batches the loader does not make; set both to the same number'),
    ({'env_cfg.dist_cfg.timeout': '60'}, ConfigCheckError,
     "env_cfg.dist_cfg.timeout must be a positive number of seconds (e.g. 1800), got '60' (str)"),
])
def test_config_mistakes_are_refused_before_the_run_builds_anything(tiny_cfg, tmp_path, options, error, message):
    cfg = copy.deepcopy(tiny_cfg)
    cfg.merge_from_dict(options)
    cfg.work_dir = str(tmp_path)
    with pytest.raises(error) as info:
        CrashSafeRunner.from_cfg(cfg)
    assert isinstance(info.value, ConfigCheckError) and str(info.value) == message
    assert not list(tmp_path.iterdir())  # refused before the runner made its log folder


def test_a_misspelt_runner_key_in_a_config_file_is_refused(tmp_path):
    """A config variable is legitimate; a near-miss of a key the runner reads is a typo it would ignore."""
    config = tmp_path / 'my_gersp.py'
    config.write_text(f'_base_ = {str(ROOT / TINY)!r}\n'
                      'my_root = "/data/"\n'  # a variable of the user's own: accepted
                      'optim_wraper = dict(optimizer=dict(lr=0.1))\n')
    with pytest.raises(ConfigCheckError, match=r'^optim_wraper is not a key the runner reads \(did you mean '
                       r'optim_wrapper\?\), so the run would ignore it$'):
        check_config(Config.fromfile(str(config)))
    config.write_text(f'_base_ = {str(ROOT / TINY)!r}\nmy_root = "/data/"\n')
    check_config(Config.fromfile(str(config)))


def test_a_head_with_more_classes_than_the_data_is_refused_before_the_first_iteration(tiny_cfg, tmp_path):
    cfg = copy.deepcopy(tiny_cfg)
    cfg.merge_from_dict({'model.cls_head.num_classes': 1000})
    cfg.work_dir = str(tmp_path)
    with pytest.raises(ConfigCheckError, match=r'^model\.cls_head\.num_classes=1000 but the training data have 2 '
                       r'classes \(n01440764, n02102040\); set model\.cls_head\.num_classes=2$'):
        CrashSafeRunner.from_cfg(cfg).train()
    assert not list(tmp_path.glob('*.pth'))


def test_a_dist_timeout_in_seconds_starts_a_cpu_process_group(tiny_cfg, monkeypatch):
    """mmengine's init_dist takes seconds; the CPU path handed the int to torch, which wants a timedelta."""
    import torch.distributed as dist
    cfg = copy.deepcopy(tiny_cfg)
    cfg.env_cfg.dist_cfg.timeout = 60
    for name, value in dict(RANK='0', WORLD_SIZE='1', MASTER_ADDR='127.0.0.1', MASTER_PORT=str(free_port())).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr('torch.cuda.is_available', lambda: False)
    setup_dist_without_cuda(cfg, 'pytorch')
    try:
        assert dist.is_initialized() and dist.get_world_size() == 1
    finally:
        dist.destroy_process_group()


@pytest.mark.slow
def test_the_training_tool_reports_a_config_mistake_in_one_sentence(tmp_path):
    """As a user meets it: tools/train.py exits at once with the sentence, no traceback, nothing trained."""
    result = subprocess.run(
        [sys.executable, 'tools/train.py', TINY, '--work-dir', str(tmp_path), '--cfg-options',
         'default_hooks.checkpoint.max_keep_ckpt=1'],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f'error: {TINY}: default_hooks.checkpoint.max_keep_ckpt is not an argument of AtomicCheckpointHook (did you '
        'mean max_keep_ckpts?)')
    assert 'Traceback' not in result.stderr and not list(tmp_path.iterdir())
