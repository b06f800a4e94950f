# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Preflight of tools/downstream_benchmark.py: data paths and checkpoint depth are checked before anything runs, also in
--dry-run, one sentence per problem."""
import torch
from mmengine.config import Config

from gersp_mm.downstream import check_data, checkpoint_depth, parse_cfg_options
from gersp_mm.export import resnet_reference_shapes
from tests.downstream.downstream_helpers import data_options, resnet_checkpoint, scene_data_root


def test_dry_run_reports_every_problem_and_prints_no_command(downstream_tool, in_repo, tmp_path, capsys):
    """Missing data roots (DIOR, NWPU), a missing split list, an R18 checkpoint for R50 tasks, an empty file."""
    r18 = resnet_checkpoint(tmp_path / 'r18.pth', depth=18)
    (tmp_path / 'empty.pth').write_bytes(b'')
    code = None
    try:
        downstream_tool.main([f'r18={r18}', f'empty={tmp_path}/empty.pth', 'random', '--tasks', 'nwpu-20p',
                             'dior-frcnn', '--dry-run'])
    except SystemExit as exit_info:
        code = exit_info.code
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ''
    nwpu = 'configs/cls/nwpu45/resnet50-gersp_8xb32_nwpu45-20p.py'
    dior = 'configs/det/faster-rcnn_r50-gersp_fpn_2x_dior.py'
    errors = captured.err.splitlines()
    assert errors[-1] == '7 problem(s) found before running anything: nothing was run.'
    assert errors[:-1] == [
        f"error: task nwpu-20p ({nwpu}): data root 'data/NWPU-RESISC45' is not a folder (set "
        'train_dataloader.dataset.data_root in the config or with --cfg-options, or give --data-root nwpu-20p=PATH).',
        f"error: task nwpu-20p ({nwpu}): data root 'data/NWPU-RESISC45' is not a folder (set "
        'val_dataloader.dataset.data_root in the config or with --cfg-options, or give --data-root nwpu-20p=PATH).',
        f"error: task dior-frcnn ({dior}): data root 'data/DIOR/' is not a folder (set "
        'train_dataloader.dataset.data_root in the config or with --cfg-options, or give --data-root dior-frcnn=PATH).',
        f"error: task dior-frcnn ({dior}): data root 'data/DIOR/' is not a folder (set "
        'val_dataloader.dataset.data_root in the config or with --cfg-options, or give --data-root dior-frcnn=PATH).',
        f"error: init 'r18': {r18} holds a ResNet-18 backbone but task nwpu-20p ({nwpu}) builds a ResNet-50.",
        f"error: init 'r18': {r18} holds a ResNet-18 backbone but task dior-frcnn ({dior}) builds a ResNet-50.",
        errors[6],
    ]
    # the file diagnosis of gersp_mm.fileio, once for the init
    assert errors[6].startswith("error: init 'empty': ") and f'{tmp_path}/empty.pth' in errors[6]
    assert '0 bytes' in errors[6] or 'empty' in errors[6].split('empty.pth', 1)[1]

    # the data given, the split list of one dataset missing: only that and the checkpoints remain
    root = scene_data_root(tmp_path / 'data')
    (root / 'meta' / 'test-20p_seed0.txt').unlink()
    try:
        downstream_tool.main([f'r18={r18}', '--tasks', 'nwpu-20p', '--dry-run', '--cfg-options', *data_options(root)])
    except SystemExit as exit_info:
        code = exit_info.code
    errors = capsys.readouterr().err.splitlines()
    assert code == 2
    assert errors == [
        f"error: task nwpu-20p ({nwpu}): annotation file '{root}/meta/test-20p_seed0.txt' does not exist (set "
        'val_dataloader.dataset.ann_file in the config or with --cfg-options).',
        f"error: init 'r18': {r18} holds a ResNet-18 backbone but task nwpu-20p ({nwpu}) builds a ResNet-50.",
        '2 problem(s) found before running anything: nothing was run.']


def test_dataset_wrappers_are_followed(tmp_path):
    present = tmp_path / 'present'
    present.mkdir()
    (present / 'train.txt').write_text('')
    cfg = Config(dict(
        train_dataloader=dict(dataset=dict(type='RepeatDataset', times=2, dataset=dict(type='ConcatDataset', datasets=[
            dict(type='A', data_root=str(present), ann_file='train.txt'),
            dict(type='B', data_root=str(tmp_path / 'absent'), ann_file='train.txt'),
            dict(type='C', data_root=str(present), ann_file='val.txt')]))),
        val_dataloader=dict(dataset=dict(type='D', data_root='', ann_file=str(tmp_path / 'abs.txt'))),
        test_dataloader=dict(dataset=dict(type='E', data_root=str(tmp_path / 'unused')))))
    assert check_data(cfg) == [
        ('train_dataloader.dataset.dataset.datasets.1.data_root', f"data root '{tmp_path}/absent' is not a folder"),
        ('train_dataloader.dataset.dataset.datasets.2.ann_file',
         f"annotation file '{present}/val.txt' does not exist"),
        ('val_dataloader.dataset.ann_file', f"annotation file '{tmp_path}/abs.txt' does not exist"),
    ]


def test_an_ann_file_ending_with_a_slash_is_a_folder_of_label_files(tmp_path):
    """mmrotate's DOTA datasets (the dota-orcnn and dota-rretinanet tasks) read a folder of label files."""
    (tmp_path / 'train' / 'annfiles').mkdir(parents=True)
    (tmp_path / 'val.txt').mkdir()
    cfg = Config(dict(train_dataloader=dict(dataset=dict(data_root=str(tmp_path), ann_file='train/annfiles/')),
                      val_dataloader=dict(dataset=dict(data_root=str(tmp_path), ann_file='val/annfiles/'))))
    assert check_data(cfg) == [
        ('val_dataloader.dataset.ann_file', f"annotation folder '{tmp_path}/val/annfiles/' does not exist")]
    cfg.train_dataloader.dataset.ann_file = 'val.txt'  # a folder where a file is expected
    assert check_data(cfg)[0] == ('train_dataloader.dataset.ann_file',
                                  f"annotation file '{tmp_path}/val.txt' does not exist")


def test_checkpoint_depth_of_each_layout():
    """A GeRSP training checkpoint (student under backbone.*, a teacher beside it), a torchvision state dict
    (fc ignored) with no prefix, and incomplete tensors."""
    def shaped(depth, prefix):
        return {prefix + k: torch.zeros(()).expand(s) for k, s in resnet_reference_shapes(depth).items()}

    gersp = dict(state_dict={**shaped(50, 'backbone.'), **shaped(18, 'teacher.module.0.')})
    assert checkpoint_depth(gersp, 'backbone.', 'gersp.pth') == 50
    assert checkpoint_depth({**shaped(18, ''), 'fc.weight': torch.zeros(1000, 512)}, None, 'tv.pth') == 18
    cut = shaped(101, 'backbone.')
    del cut['backbone.layer4.1.conv2.weight']
    try:
        checkpoint_depth(dict(state_dict=cut), 'backbone.', 'cut.pth')
    except ValueError as err:
        assert str(err) == "cut.pth: incomplete ResNet-101 under the prefix 'backbone.': missing: layer4.1.conv2.weight"
    else:
        raise AssertionError('an incomplete ResNet passed')


def test_cfg_options_are_parsed_like_train_py():
    assert parse_cfg_options(['a.b=1', 'c=[1,2]', "d='x'"]) == {'a.b': 1, 'c': [1, 2], 'd': 'x'}
    assert parse_cfg_options([]) == {}
