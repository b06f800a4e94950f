# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""tools/analysis_tools/plot_curves.py on the logs of a real tiny run with the k-NN monitor, and its errors."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / 'tools' / 'analysis_tools' / 'plot_curves.py'


def load_tool():
    spec = importlib.util.spec_from_file_location('plot_curves', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = load_tool()


@pytest.fixture(scope='module')
def work_dir(tmp_path_factory):
    """A tiny GeRSP run with the k-NN monitor (2 epochs x 2 iterations, monitor after each epoch)."""
    work_dir = tmp_path_factory.mktemp('tiny_monitor')
    result = subprocess.run(
        [sys.executable, 'tools/train.py', 'configs/pretrain/gersp_r18_tiny_monitor.py', '--work-dir', str(work_dir)],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return work_dir


def check_png(path):
    assert path.stat().st_size > 0 and path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    with Image.open(path) as image:
        return image.size


def test_default_keys_of_a_work_dir(work_dir, tmp_path, capsys):
    out = tmp_path / 'plots' / 'curves.png'
    tool.main([str(work_dir), '--out', str(out)])
    assert capsys.readouterr().out.strip() == (
        f'Wrote {out}: loss, loss_contrastive, loss_cls, monitor/knn_top1 of 1 run(s)')
    width, height = check_png(out)
    assert width == 800 and height > 4 * 250  # one panel per key


def test_two_runs_by_epoch_with_patterns_labels_and_title(work_dir, tmp_path, capsys):
    (scalars, ) = work_dir.glob('*/vis_data/scalars.json')
    out = tmp_path / 'knn.png'
    tool.main([str(work_dir), str(scalars), '--x', 'epoch', '--keys', 'monitor/*', 'lr', '--labels', 'a', 'b',
               '--title', 'k-NN', '--out', str(out)])
    assert 'monitor/knn_top1, lr of 2 run(s)' in capsys.readouterr().out
    check_png(out)


def test_curve_points_by_iteration_and_by_epoch(work_dir):
    records = tool.load_records(tool.find_scalar_logs(str(work_dir)))
    xs, ys = tool.curve(records, 'monitor/knn_top1')
    assert xs == [2, 4] and all(0 <= y <= 100 for y in ys)
    assert tool.curve(records, 'loss')[0] == [1, 2, 3, 4]
    losses = tool.curve(records, 'loss')[1]
    assert tool.curve(records, 'loss', x='epoch') == ([1, 2], [sum(losses[:2]) / 2, sum(losses[2:]) / 2])
    assert tool.curve(records, 'no such key') == ([], [])


def test_a_resumed_run_continues_its_curve(tmp_path):
    """Two launches in one work dir: the second (resumed at step 2) rewrites step 2 and continues."""
    for launch, rows in (('20240101_000000', [(1, 1.0), (2, 2.0)]), ('20240102_000000', [(2, 5.0), (3, 6.0)])):
        log = tmp_path / launch / 'vis_data' / 'scalars.json'
        log.parent.mkdir(parents=True)
        log.write_text(''.join(json.dumps(dict(loss=loss, epoch=1, step=step)) + '\n' for step, loss in rows))
    records = tool.load_records(tool.find_scalar_logs(str(tmp_path)))
    assert tool.curve(records, 'loss') == ([1, 2, 3], [1.0, 5.0, 6.0])
    assert tool.run_labels([str(tmp_path / '20240102_000000' / 'vis_data' / 'scalars.json')], None) == [
        tmp_path.name]


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize('make_args, message', [
    (lambda tmp: [str(tmp / 'missing')], 'no such file or directory'),
    (lambda tmp: [str(tmp)], 'no scalars.json below this directory'),
    (lambda tmp: [write(tmp / 'vis_data' / 'scalars.json', '\n')], 'the log is empty'),
    (lambda tmp: [write(tmp / 'bad.json', '{"loss": 1, "step": 1}\n{"loss": \n')], 'bad.json, line 2: not JSON'),
    (lambda tmp: [write(tmp / 'nostep.json', '{"loss": 1}\n')], 'numeric "step"'),
    (lambda tmp: [write(tmp / 'lr.json', '{"lr": 1, "step": 1}\n')], 'no loss or knn_top1 key'),
    (lambda tmp: [write(tmp / 'a.json', '{"loss": 1, "step": 1}\n'), '--keys', 'acc*'], "key 'acc*' is in no log"),
    (lambda tmp: [write(tmp / 'a.json', '{"loss": 1, "step": 1}\n'), '--labels', 'x', 'y'], '2 names for 1 runs'),
    (lambda tmp: [write(tmp / 'a.json', '{"loss": 1, "step": 1}\n'), '--out', 'c.pdf'], 'must name a .png'),
])
def test_bad_input_is_a_clear_error(tmp_path, capsys, make_args, message):
    args = make_args(tmp_path)
    if '--out' not in args:
        args += ['--out', str(tmp_path / 'c.png')]
    with pytest.raises(SystemExit) as error:
        tool.main(args)
    assert error.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / 'c.png').exists()


def test_command_line(work_dir, tmp_path):
    help_text = subprocess.run([sys.executable, str(TOOL), '--help'], capture_output=True, text=True,
                               check=True).stdout
    assert 'Examples::' in help_text and '--keys' in help_text and '--x {iter,epoch}' in help_text
    out = tmp_path / 'cli.png'
    subprocess.run([sys.executable, str(TOOL), str(work_dir), '--out', str(out)], check=True, capture_output=True)
    check_png(out)
