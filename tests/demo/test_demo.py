# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""``tools/demo.py --quick`` end to end, and the synthetic data sets it writes."""
import csv
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.datasets import ImageNet

from gersp_mm.cls import NWPU_RESISC45_CLASSES, NWPURESISC45
from gersp_mm.demo import DET_CLASSES, NATURAL_CLASSES, SCENE_CLASSES, DemoDataSizes, write_demo_datasets
from gersp_mm.det import DIOR_CLASSES, DIORDataset
from gersp_mm.pretrain import UnlabeledImageFolder

ROOT = Path(__file__).resolve().parents[2]
SMALL = DemoDataSizes(rs_images=10, natural_per_class=3, det_train=5, det_val=2, det_test=5, scene_train_per_class=2,
                      scene_test_per_class=3)


def run_quick_demo(work_dir: Path, seed: int):
    """Run ``python tools/demo.py --quick --seed SEED`` into ``work_dir``; returns its output."""
    result = subprocess.run([sys.executable, 'tools/demo.py', '--quick', '--seed', str(seed), '--work-dir',
                             str(work_dir)], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout


@pytest.fixture(scope='module')
def quick_demo(tmp_path_factory):
    """The output of ``python tools/demo.py --quick --seed 3`` and its work dir."""
    work_dir = tmp_path_factory.mktemp('demo')
    return work_dir, run_quick_demo(work_dir, seed=3)


def test_help_shows_examples_and_defaults(capsys):
    spec = importlib.util.spec_from_file_location('demo_tool', ROOT / 'tools' / 'demo.py')
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    args = demo.parse_args([])
    assert (args.work_dir, args.seed, args.quick) == ('work_dirs/demo', 0, False)
    with pytest.raises(SystemExit):
        demo.parse_args(['--help'])
    text = capsys.readouterr().out
    assert '--quick' in text and '--seed' in text and 'python tools/demo.py --seed 1' in text


def file_hashes(root: Path) -> dict:
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob('*')) if path.is_file()}


def test_quick_demo_prints_and_writes_the_results(quick_demo):
    work_dir, stdout = quick_demo
    for step in range(1, 7):
        assert f'[{step}/6]' in stdout
    assert 'recognised layout: gersp_mm; ResNet-18' in stdout
    assert '| task | metric | GeRSP init | random init | GeRSP - random |' in stdout
    assert 'Epoch(train)' not in stdout  # the runners' logs go to demo.log
    assert 'Epoch(train)' in (work_dir / 'demo.log').read_text()

    summary = json.loads((work_dir / 'results.json').read_text())
    assert summary['seed'] == 3 and summary['quick'] is True
    rows = summary['results']
    assert [row['metric'] for row in rows] == ['VOC mAP@0.5 (%)', 'top-1 (%)']
    for row in rows:
        assert 0 <= row['gersp'] <= 100 and 0 <= row['random'] <= 100
        assert row['gain'] == pytest.approx(row['gersp'] - row['random'], abs=0.02)
        assert f'| {row["task"]} | {row["metric"]} | {row["gersp"]:.2f} | {row["random"]:.2f} |' in stdout
    assert len(summary['stage_seconds']) == 6 and summary['total_seconds'] >= sum(summary['stage_seconds'].values()) - 1
    markdown = (work_dir / 'results.md').read_text()
    assert all(f'| {row["task"]} |' in markdown for row in rows)
    with open(work_dir / 'results.csv', newline='') as f:
        table = list(csv.reader(f))
    assert table[0] == ['task', 'metric', 'GeRSP init', 'random init', 'GeRSP - random']
    assert [float(value) for value in table[1][2:]] == [rows[0]['gersp'], rows[0]['random'], rows[0]['gain']]
    png = (work_dir / 'loss_curves.png').read_bytes()
    assert png.startswith(b'\x89PNG\r\n\x1a\n') and len(png) > 10_000


def test_quick_demo_fine_tunes_the_exported_student(quick_demo):
    """The GeRSP configs load the exported student backbone; the random ones nothing; both train alike."""
    work_dir, _ = quick_demo
    exported = torch.load(work_dir / 'checkpoints' / 'gersp_r18_backbone.pth', weights_only=True)['state_dict']
    pretrained = torch.load(work_dir / 'pretrain' / 'epoch_1.pth', map_location='cpu', weights_only=False)
    assert exported.keys() == {key for key in pretrained['state_dict'] if key.startswith('backbone.')}
    for key, value in exported.items():
        assert torch.equal(value, pretrained['state_dict'][key]), key
    for task in ('det', 'cls'):
        gersp = Config.fromfile(str(work_dir / 'configs' / f'{task}_gersp.py'))
        random = Config.fromfile(str(work_dir / 'configs' / f'{task}_random.py'))
        assert gersp.model.backbone.init_cfg.checkpoint == str(work_dir / 'checkpoints' / 'gersp_r18_backbone.pth')
        assert 'checkpoint' not in str(random.model.backbone.init_cfg)
        gersp.model.backbone.pop('init_cfg')
        random.model.backbone.pop('init_cfg')
        assert gersp.model == random.model
        for key in ('train_dataloader', 'val_dataloader', 'optim_wrapper', 'param_scheduler', 'train_cfg',
                    'randomness'):
            assert gersp[key] == random[key], key
        assert gersp.randomness.seed == 3


def test_quick_demo_is_deterministic_by_seed(quick_demo, tmp_path):
    """The same seed again: the same pre-trained weights and the same results table."""
    work_dir, _ = quick_demo
    run_quick_demo(tmp_path, seed=3)
    first, again = (json.loads((d / 'results.json').read_text())['results'] for d in (work_dir, tmp_path))
    assert first == again
    weights = [torch.load(d / 'checkpoints' / 'gersp_r18_backbone.pth', weights_only=True)['state_dict']
               for d in (work_dir, tmp_path)]
    assert weights[0].keys() == weights[1].keys()
    assert all(torch.equal(weights[0][key], weights[1][key]) for key in weights[0])


def test_demo_data_is_a_function_of_the_seed(tmp_path):
    first = write_demo_datasets(str(tmp_path / 'a'), seed=5, sizes=SMALL)
    write_demo_datasets(str(tmp_path / 'b'), seed=5, sizes=SMALL)
    write_demo_datasets(str(tmp_path / 'c'), seed=6, sizes=SMALL)
    hashes = {name: file_hashes(tmp_path / name) for name in 'abc'}
    assert hashes['a'] == hashes['b']
    assert hashes['a'].keys() == hashes['c'].keys()
    images = [name for name in hashes['a'] if name.lower().endswith(('.jpg', '.jpeg'))]
    assert len(images) == 10 + 8 * 3 + 12 + 8 * 5
    assert all(hashes['a'][name] != hashes['c'][name] for name in images)
    # a larger data set starts with the same images
    bigger = write_demo_datasets(str(tmp_path / 'd'), seed=5, sizes=SMALL._replace(rs_images=20))
    assert (Path(bigger.million_aid) / 'P0000010.jpg').read_bytes() == \
        (Path(first.million_aid) / 'P0000010.jpg').read_bytes()


def test_demo_data_loads_through_the_repository_datasets(tmp_path):
    assert set(DET_CLASSES) <= set(DIOR_CLASSES) and set(SCENE_CLASSES) <= set(NWPU_RESISC45_CLASSES)
    roots = write_demo_datasets(str(tmp_path), seed=0, sizes=SMALL)

    init_default_scope('mmdet')
    trainval = DIORDataset(data_root=roots.dior, split='trainval')
    test = DIORDataset(data_root=roots.dior, split='test', test_mode=True)
    assert [info['img_id'] for info in trainval] == [f'{i:05d}' for i in range(1, 8)]
    assert [info['img_id'] for info in test] == [f'{i:05d}' for i in range(11726, 11731)]
    assert b'\r\n' in (Path(roots.dior) / 'Annotations' / '00001.xml').read_bytes()
    labels = set()
    for info in [*trainval, *test]:
        assert info['width'] == info['height'] == SMALL.rs_size and info['instances']
        for instance in info['instances']:
            xmin, ymin, xmax, ymax = instance['bbox']
            assert 0 <= xmin < xmax <= SMALL.rs_size and 0 <= ymin < ymax <= SMALL.rs_size
            labels.add(DIOR_CLASSES[instance['bbox_label']])
    assert labels <= set(DET_CLASSES) and len(labels) >= 4

    init_default_scope('mmpretrain')
    train = NWPURESISC45(data_root=roots.nwpu, ann_file='meta/train.txt')
    scanned = NWPURESISC45(data_root=roots.nwpu)
    assert len(train) == 8 * 2 and len(scanned) == 8 * 5
    assert {NWPU_RESISC45_CLASSES[train.get_data_info(i)['gt_label']] for i in range(len(train))} == set(SCENE_CLASSES)

    natural_classes = tuple(name for _, name in NATURAL_CLASSES)
    natural = ImageNet(data_root=roots.imagenet, split='train', metainfo=dict(classes=natural_classes))
    assert len(natural) == 8 * 3 and natural.ann_file.endswith('meta/train.txt')
    wnid = NATURAL_CLASSES[1][0]
    assert natural.get_data_info(3)['img_path'].endswith(f'train/{wnid}/{wnid}_1.JPEG')
    assert natural.get_data_info(3)['gt_label'] == 1

    unlabeled = UnlabeledImageFolder(data_root=roots.million_aid)
    assert len(unlabeled) == 10 and unlabeled.get_data_info(0)['img_path'].endswith('P0000001.jpg')
