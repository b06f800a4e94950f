# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""A disk that fills up under the logs during training: the run stops with an OSError naming the file, the log
file and the scalar files (vis_data/*.json) end with a whole line, and the log line not written is in the
error. (A full disk during a checkpoint write: test_atomic_checkpoint_hook.py.)"""
import ast
import errno
import json
import os

import pytest

from tests.reliability.fault_injection import full_disk
from tests.reliability.toy_runs import toy_runner

pytestmark = pytest.mark.skipif(not os.path.isdir('/proc/self/fd'), reason='names open files through /proc')


def test_full_disk_while_logging_stops_naming_the_log_file(tmp_path):
    runner = toy_runner(tmp_path, max_iters=6)
    log_file = next(tmp_path.glob('*/*.log'))
    with full_disk(tmp_path, free_bytes=300, pattern='*.log'), pytest.raises(OSError) as info:
        runner.train()
    assert info.value.errno == errno.ENOSPC
    assert str(info.value).startswith(f'[Errno 28] cannot write {log_file}: No space left on device; '
                                      'the line not written: ')
    log = log_file.read_text()
    assert log.endswith('\n')
    lost_line = ast.literal_eval(str(info.value).split('the line not written: ', 1)[1])
    assert lost_line.strip() and lost_line not in log


def test_full_disk_while_writing_scalars_leaves_whole_records_and_names_the_file(tmp_path):
    runner = toy_runner(tmp_path, max_iters=6)
    with full_disk(tmp_path, free_bytes=700, pattern='*.json'), pytest.raises(OSError) as info:
        runner.train()
    assert info.value.errno == errno.ENOSPC
    json_files = sorted(tmp_path.glob('*/vis_data/*.json'))
    assert len(json_files) == 2  # <timestamp>.json and scalars.json
    assert any(str(info.value) == f'[Errno 28] cannot write {path}: No space left on device'
               for path in json_files), str(info.value)
    for path in json_files:
        text = path.read_text()
        assert text.endswith('\n')
        records = [json.loads(line) for line in text.splitlines()]  # no record cut in the middle
        assert [record['iter'] for record in records] == list(range(1, len(records) + 1))
