# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""``tools/demo.py --quick`` end to end: progress, results, pictures, runs; the README's block in its format."""
import io
import json
import re
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from gersp_mm.demo.pipeline import Demo
from gersp_mm.demo.plan import DEMO_INITS, DEMO_TASKS, KNN_METRIC, PRETRAININGS
from gersp_mm.demo.report import README_BEGIN, README_END
from gersp_mm.demo.synthetic_scenes import DemoDataRoots

pytestmark = pytest.mark.slow  # every test here shares or makes a run of a minute or more
ROOT = Path(__file__).resolve().parents[2]
SEED = 3
NUM_STAGES = 1 + len(PRETRAININGS) + len(DEMO_TASKS) * len(DEMO_INITS) + 1


@pytest.fixture(scope='module')
def quick_demo(tmp_path_factory):
    """``python tools/demo.py --quick --seed 3``: its work dir, its output and when its first line came."""
    work_dir = tmp_path_factory.mktemp('demo')
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, 'tools/demo.py', '--quick', '--seed', str(SEED), '--work-dir',
                                str(work_dir)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    first_line = process.stdout.readline()
    first_line_seconds = time.perf_counter() - start
    rest, _ = process.communicate(timeout=900)
    assert process.returncode == 0, (first_line + rest)[-6000:]
    return work_dir, first_line + rest, first_line_seconds


def table_cells(lines):
    return [[cell.strip() for cell in line.strip().strip('|').split('|')] for line in lines if line.startswith('|')]


def test_the_first_progress_line_comes_at_once(quick_demo):
    _, stdout, seconds = quick_demo
    assert stdout.startswith('GeRSP demo: loading PyTorch and OpenMMLab')
    assert seconds < 10


def test_the_demo_reports_every_stage_with_the_time_left(quick_demo):
    _, stdout, _ = quick_demo
    for number in range(1, NUM_STAGES + 1):
        assert f'[{number}/{NUM_STAGES}] ' in stdout
    assert len(re.findall(r'done in [\d.]+ (?:s|min); about [\d.]+ (?:s|min) left for the demo', stdout)) == \
        NUM_STAGES - 1
    for init in PRETRAININGS:
        assert f'Pre-training {init.title} (seed {SEED})' in stdout
    assert stdout.count('pre-training: iteration 1/') == len(PRETRAININGS)
    assert 'recognised layout: gersp_mm' in stdout and 'recognised layout: mm_model' in stdout
    assert 'Epoch(train)' not in stdout  # the Runners' logs go to demo.log
    assert 'QUICK RUN' in stdout and "5 of DIOR's 20 classes" in stdout


def test_the_results_are_the_runs_final_metrics_in_percent(quick_demo):
    """Every number of results.json is the run's own final log entry, scaled to percent."""
    work_dir, stdout, _ = quick_demo
    summary = json.loads((work_dir / 'results.json').read_text())
    assert summary['seeds'] == [SEED] and summary['quick'] is True
    results = {(row['task'], row['init']): row for row in summary['results']}
    assert set(results) == {(task, init.label) for task in DEMO_TASKS for init in DEMO_INITS} | {
        ('knn', init.label) for init in PRETRAININGS}
    scales = {'pascal_voc/mAP': 100.0, 'accuracy/top1': 1.0, KNN_METRIC: 1.0}
    for (task, init), row in results.items():
        run = f'pretrain_{init}' if task == 'knn' else f'{task}_{init}'
        logs = list((work_dir / f'seed{SEED}' / run).glob('*/vis_data/scalars.json'))
        records = [json.loads(line) for line in logs[0].read_text().splitlines()]
        logged = [record[row['metric']] for record in records if row['metric'] in record]
        assert row['values'] == [pytest.approx(logged[-1] * scales[row['metric']], abs=1e-4)], (task, init)
    assert len(summary['stage_seconds']) == NUM_STAGES


def test_the_results_block_is_printed_and_written(quick_demo):
    work_dir, stdout, _ = quick_demo
    block = (work_dir / 'results.md').read_text()
    assert block.startswith(f'`python tools/demo.py --quick --seeds {SEED}`: 1 seed(s), ')
    environment = json.loads((work_dir / 'results.json').read_text())['environment']
    assert f'; commit {environment["commit"]}, {environment["cpu"]}, ' in block.splitlines()[0]
    assert environment['torch_threads'] == torch.get_num_threads()  # the demo runs with the default threads
    assert all(f'      {line}'.rstrip() in stdout for line in block.splitlines())
    rows = table_cells(block.splitlines())
    assert rows[0][2:] == [init.title for init in DEMO_INITS] and len(rows) == 2 + len(DEMO_TASKS) + 1
    csv_rows = (work_dir / 'results.csv').read_text().splitlines()
    assert csv_rows[0] == 'task,init,metric,seeds,values,mean,std' and len(csv_rows) == 1 + 4 * 2 + 3


def test_the_readme_shows_a_results_block_in_the_format_the_demo_writes(quick_demo):
    """The README's table has the demo's columns and rows (only the numbers differ): it cannot go stale."""
    work_dir, _, _ = quick_demo
    readme = (ROOT / 'README.md').read_text()
    assert readme.count(README_BEGIN) == 1 and readme.count(README_END) == 1
    shown = readme.split(README_BEGIN)[1].split(README_END)[0].strip().splitlines()
    written = (work_dir / 'results.md').read_text().splitlines()
    assert re.fullmatch(r'`python tools/demo.py --seeds [\d ]+`: \d+ seed\(s\), .+', shown[0]), shown[0]
    shown_rows, written_rows = table_cells(shown), table_cells(written)
    assert [row[:2] for row in shown_rows] == [row[:2] for row in written_rows]
    assert [len(row) for row in shown_rows] == [len(row) for row in written_rows]
    cell = re.compile(r'-|\d+\.\d\d( ± \d+\.\d\d)?')
    for row in shown_rows[2:]:
        assert all(cell.fullmatch(value) for value in row[2:]), row
    assert sum(cell != '-' for row in shown_rows[2:] for cell in row[2:]) == len(DEMO_TASKS) * 4 + 3
    assert 'Caveats:' in shown and not any('QUICK RUN' in line for line in shown)


def png_size(path: Path):
    data = path.read_bytes()
    assert data.startswith(b'\x89PNG\r\n\x1a\n')
    return struct.unpack('>II', data[16:24])


def test_the_pictures_are_written(quick_demo):
    work_dir, _, _ = quick_demo
    width, height = png_size(work_dir / 'training_curves.png')
    assert width > 3 * height  # four panels side by side
    width, height = png_size(work_dir / 'detections.png')
    assert width / height == pytest.approx(5 / 4, rel=0.1)  # ground truth + 4 inits, on 4 test scenes


def test_the_pre_trainings_log_the_k_nn_monitor(quick_demo):
    work_dir, _, _ = quick_demo
    for init in PRETRAININGS:
        log = next((work_dir / f'seed{SEED}' / f'pretrain_{init.label}').glob('*/vis_data/scalars.json'))
        steps = [json.loads(line)['step'] for line in log.read_text().splitlines() if KNN_METRIC in line]
        assert steps == [2, 4], init.label


def test_each_fine_tuning_loads_its_own_exported_backbone_and_differs_only_there(quick_demo):
    work_dir, _, _ = quick_demo
    seed_dir = work_dir / f'seed{SEED}'
    for init in PRETRAININGS:
        exported = torch.load(seed_dir / 'checkpoints' / f'{init.label}_r18_backbone.pth', weights_only=True)
        pretrained = torch.load(seed_dir / f'pretrain_{init.label}' / 'epoch_1.pth', map_location='cpu',
                                weights_only=False)['state_dict']
        assert exported['state_dict'].keys() == {key for key in pretrained if key.startswith('backbone.')}
        assert all(torch.equal(value, pretrained[key]) for key, value in exported['state_dict'].items())
    for task in DEMO_TASKS:
        configs = {init.label: Config.fromfile(str(seed_dir / 'configs' / f'{task}_{init.label}.py'))
                   for init in DEMO_INITS}
        for label, cfg in configs.items():
            init_cfg = str(cfg.model.backbone.init_cfg)
            if label == 'random':
                assert 'checkpoint' not in init_cfg
            else:
                assert cfg.model.backbone.init_cfg.checkpoint == str(seed_dir / 'checkpoints' /
                                                                     f'{label}_r18_backbone.pth')
            cfg.model.backbone.pop('init_cfg')
        for cfg in configs.values():
            assert cfg.model == configs['gersp'].model and cfg.randomness.seed == SEED
            for field in ('train_dataloader', 'val_dataloader', 'optim_wrapper', 'param_scheduler', 'train_cfg'):
                assert cfg[field] == configs['gersp'][field], field


def test_a_pre_training_run_again_gives_the_same_weights(quick_demo, tmp_path):
    """Determinism: the GeRSP pre-training of the quick demo, repeated on its data, exports the same backbone."""
    work_dir, _, _ = quick_demo
    data = work_dir / 'data'
    demo = Demo(str(tmp_path), [SEED], quick=True, log=io.StringIO())
    demo.data = DemoDataRoots(str(data / 'MillionAID' / 'test'), str(data / 'imagenet'), str(data / 'DIOR'),
                              str(data / 'NWPU-RESISC45'))
    demo.pretrain(PRETRAININGS[0], SEED)
    weights = [torch.load(root / f'seed{SEED}' / 'checkpoints' / 'gersp_r18_backbone.pth',
                          weights_only=True)['state_dict'] for root in (work_dir, tmp_path)]
    assert weights[0].keys() == weights[1].keys()
    assert all(torch.equal(weights[0][key], weights[1][key]) for key in weights[0])
