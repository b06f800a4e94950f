# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Training curves (gersp_mm.analysis.curves, tools/analysis_tools/plot_curves.py) on the logs of a real tiny
run with the k-NN monitor, and their errors."""
import json
import re

import pytest
from PIL import Image

from gersp_mm.analysis import plot_curves as tool
from gersp_mm.analysis.curves import curve, plot_runs, run_labels
from gersp_mm.analysis.scalar_logs import find_scalar_logs, load_records, read_json_records


@pytest.fixture
def work_dir(tiny_monitor_run):
    """The work dir of the tiny GeRSP run with the k-NN monitor (2 epochs x 2 iterations, monitor after each
    epoch)."""
    return tiny_monitor_run[0]


def check_png(path):
    assert path.stat().st_size > 0 and path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    with Image.open(path) as image:
        return image.size


def test_default_keys_of_a_work_dir(work_dir, tmp_path):
    out = tmp_path / 'plots' / 'curves.png'
    assert plot_runs([str(work_dir)], str(out)) == ['loss', 'loss_contrastive', 'loss_cls', 'monitor/knn_top1']
    width, height = check_png(out)
    assert width == 800 and height > 4 * 250  # one panel per key


def test_two_runs_by_epoch_with_patterns_labels_and_title(work_dir, tmp_path):
    (scalars, ) = work_dir.glob('*/vis_data/scalars.json')
    out = tmp_path / 'knn.png'
    keys = plot_runs([str(work_dir), str(scalars)], str(out), ['monitor/*', 'lr'], 'epoch', ['a', 'b'], 'k-NN')
    assert keys == ['monitor/knn_top1', 'lr']
    check_png(out)


def test_curve_points_by_iteration_and_by_epoch(work_dir):
    records = load_records(find_scalar_logs(str(work_dir)))
    xs, ys = curve(records, 'monitor/knn_top1')
    assert xs == [2, 4] and set(ys) <= {0.0, 50.0, 100.0}  # percent of 2 queries (a fraction would fail)
    assert curve(records, 'loss')[0] == [1, 2, 3, 4]
    losses = curve(records, 'loss')[1]
    assert curve(records, 'loss', x='epoch') == ([1, 2], [sum(losses[:2]) / 2, sum(losses[2:]) / 2])
    assert curve(records, 'no such key') == ([], [])


def test_a_resumed_run_continues_its_curve(tmp_path):
    """Two launches in one work dir: the second (resumed at step 2) rewrites step 2 and continues."""
    for launch, rows in (('20240101_000000', [(1, 1.0), (2, 2.0)]), ('20240102_000000', [(2, 5.0), (3, 6.0)])):
        log = tmp_path / launch / 'vis_data' / 'scalars.json'
        log.parent.mkdir(parents=True)
        log.write_text(''.join(json.dumps(dict(loss=loss, epoch=1, step=step)) + '\n' for step, loss in rows))
    records = load_records(find_scalar_logs(str(tmp_path)))
    assert curve(records, 'loss') == ([1, 2, 3], [1.0, 5.0, 6.0])
    assert run_labels([str(tmp_path / '20240102_000000' / 'vis_data' / 'scalars.json')], None) == [
        tmp_path.name]


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def test_a_record_cut_short_by_a_kill_is_skipped_any_other_bad_line_is_named(tmp_path):
    log = tmp_path / 'scalars.json'
    log.write_text('{"loss": 1, "step": 1}\n\n{"loss": 2, "st')
    assert read_json_records(log) == [{'loss': 1, 'step': 1}]
    log.write_text('{"loss": 1, "step": 1}\n{"loss": 2, "st\n{"loss": 3, "step": 3}\n')
    with pytest.raises(ValueError, match='scalars.json, line 2: not JSON'):
        read_json_records(log)
    log.write_text('[1, 2]\n')
    with pytest.raises(ValueError, match='line 1: expected a JSON object'):
        read_json_records(log)


@pytest.mark.parametrize('make_args, message', [
    (lambda tmp: dict(paths=[str(tmp / 'missing')]), 'no such file or directory'),
    (lambda tmp: dict(paths=[str(tmp)]), 'no scalars.json below this directory'),
    (lambda tmp: dict(paths=[write(tmp / 'vis_data' / 'scalars.json', '\n')]), 'the log is empty'),
    (lambda tmp: dict(paths=[write(tmp / 'bad.json', '{"loss": 1, "step": 1}\n{"loss": \n')]),
     'bad.json, line 2: not JSON'),
    (lambda tmp: dict(paths=[write(tmp / 'nostep.json', '{"loss": 1}\n')]), 'numeric "step"'),
    (lambda tmp: dict(paths=[write(tmp / 'lr.json', '{"lr": 1, "step": 1}\n')]), 'no loss or knn_top1 key'),
    (lambda tmp: dict(paths=[write(tmp / 'a.json', '{"loss": 1, "step": 1}\n')], keys=['acc*']),
     "key 'acc*' is in no log"),
    (lambda tmp: dict(paths=[write(tmp / 'a.json', '{"loss": 1, "step": 1}\n')], labels=['x', 'y']),
     '2 names for 1 runs'),
])
def test_bad_input_is_a_clear_error(tmp_path, make_args, message):
    with pytest.raises((FileNotFoundError, ValueError), match=re.escape(message)):
        plot_runs(out=str(tmp_path / 'c.png'), **make_args(tmp_path))
    assert not (tmp_path / 'c.png').exists()


def test_command_line(work_dir, tmp_path, capsys):
    # (--help of every tool: tests/test_docs.py)
    with pytest.raises(SystemExit) as wrong_format:
        tool.main([str(work_dir), '--out', 'c.pdf'])
    assert wrong_format.value.code == 2 and 'must name a .png' in capsys.readouterr().err
    out = tmp_path / 'cli.png'
    assert tool.main([str(work_dir), '--out', str(out)]) == 0
    written = capsys.readouterr().out.strip()
    assert written == f'Wrote {out}: loss, loss_contrastive, loss_cls, monitor/knn_top1 of 1 run(s)'
    check_png(out)
