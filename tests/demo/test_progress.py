# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The demo's console progress: per-run lines with the time left, and the time left for the whole demo."""
import logging
from types import SimpleNamespace

import pytest

from gersp_mm.demo import progress
from gersp_mm.demo.progress import DemoProgressHook, StageClock, format_seconds


def test_the_clock_extrapolates_the_pace_of_the_stages_done_to_the_others():
    clock = StageClock([1, 3, 6])
    assert clock.finish_stage(2.0) == pytest.approx(2.0 * 9)  # 2 s per unit of weight, 9 units to go
    assert clock.finish_stage(10.0) == pytest.approx(12.0 / 4 * 6)  # 12 s for 4 units
    assert clock.finish_stage(1.0) == 0
    with pytest.raises(RuntimeError, match='already finished'):
        clock.finish_stage(1.0)
    with pytest.raises(ValueError, match='positive'):
        StageClock([1, 0])


def test_seconds_read_as_seconds_then_minutes():
    assert (format_seconds(44.6), format_seconds(119), format_seconds(150)) == ('45 s', '119 s', '2.5 min')


def test_the_time_left_uses_the_pace_since_the_previous_report(monkeypatch, caplog):
    """The first iteration is slow (warm-up): the time left must not extrapolate it."""
    clock = iter([0.0, 10.0, 12.0, 15.0, 18.0])  # before_train, then after iterations 1, 3, 6 and 9
    monkeypatch.setattr(progress.time, 'perf_counter', lambda: next(clock))
    hook = DemoProgressHook('run', num_reports=3)
    runner = SimpleNamespace(iter=0, max_iters=9)
    hook.before_train(runner)
    with caplog.at_level(logging.INFO, logger='gersp_mm.demo'):
        for done in range(1, 10):
            runner.iter = done - 1
            hook.after_train_iter(runner, done - 1, outputs=dict(loss=0.5, accuracy=3.0))
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 4
    assert lines[0].startswith('    run: iteration 1/9  loss 0.500  [10 s, the pace is measured')
    assert lines[1].endswith('iteration 3/9  loss 0.500  [12 s, ~6 s left]')  # 1 s per iteration since it. 1
    assert lines[2].endswith('iteration 6/9  loss 0.500  [15 s, ~3 s left]')
    assert lines[3].endswith('iteration 9/9  loss 0.500  [18 s, ~0 s left]')


def test_evaluation_results_are_reported(caplog):
    with caplog.at_level(logging.INFO, logger='gersp_mm.demo'):
        DemoProgressHook('det').after_val_epoch(SimpleNamespace(epoch=24), dict(mAP=0.81234, name='x'))
    assert caplog.records[0].getMessage() == '    det: evaluation after epoch 24: mAP 0.8123'
