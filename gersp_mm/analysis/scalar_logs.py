# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Read mmengine's scalar logs: JSON lines, one record per line.

mmengine's ``LocalVisBackend`` writes ``<work_dir>/<timestamp>/vis_data/scalars.json`` (training records and
validation metrics, each with its ``step``); ``Runner.test()`` writes ``<timestamp>/<timestamp>.json``. Every
reader of logs in this package goes through :func:`read_json_records`, and every reader of a work dir's
``<timestamp>`` folders through :func:`log_dirs`. mmpretrain's ``load_json_log`` reads the same files but
stops with a bare ``JSONDecodeError`` on a line cut short by an interrupted run, which is what a killed run
leaves; here such a last line is skipped and any other bad line is named by file and line.
"""
import json
import os
import os.path as osp
import re
from pathlib import Path
from typing import List, Optional, Sequence, Union

#: The name of mmengine's log folders (``Runner.timestamp``, ``%Y%m%d_%H%M%S``).
_LOG_DIR = re.compile(r'^\d{8}_\d{6}$')


def read_json_records(path: Union[str, Path]) -> List[dict]:
    """The JSON object of every line of a JSON-lines log, in order.

    Blank lines are skipped, and so is a last line without its newline that is not valid JSON (the
    record being written when a run was killed).

    Args:
        path (str | Path): The log file.

    Returns:
        list[dict]: The records.

    Raises:
        ValueError: If a complete line is not a JSON object, naming the file and the line.
    """
    with open(path, encoding='utf-8') as f:
        lines = f.readlines()
    records = []
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            if line_no == len(lines) and not line.endswith('\n'):
                continue  # cut short by an interruption
            raise ValueError(f'{path}, line {line_no}: not JSON ({error.msg})') from error
        if not isinstance(record, dict):
            raise ValueError(f'{path}, line {line_no}: expected a JSON object, got {line.strip()[:80]!r}')
        records.append(record)
    return records


def last_record_with(path: Union[str, Path], metric: str) -> Optional[dict]:
    """The last record of a JSON-lines log that has ``metric``, or None (also when there is no such file).

    Args:
        path (str | Path): The log file.
        metric (str): Metric key as logged, e.g. ``'accuracy/top1'``.

    Returns:
        dict | None: The record.

    Raises:
        ValueError: If the log is not JSON lines (:func:`read_json_records`).
    """
    if not osp.isfile(path):
        return None
    records = [record for record in read_json_records(path) if metric in record]
    return records[-1] if records else None


def log_dirs(work_dir: str) -> List[str]:
    """The ``<timestamp>`` log folders of an mmengine work dir, newest first ([] if there is no such dir)."""
    if not osp.isdir(work_dir):
        return []
    names = (name for name in os.listdir(work_dir) if _LOG_DIR.match(name) and osp.isdir(osp.join(work_dir, name)))
    return [osp.join(work_dir, name) for name in sorted(names, reverse=True)]


def find_scalar_logs(path: str) -> List[Path]:
    """The scalar logs of a run.

    Args:
        path (str): A ``scalars.json``-style file, or a directory searched recursively for
            ``scalars.json``.

    Returns:
        list[Path]: The files, sorted by path (chronological for mmengine's timestamp folders).

    Raises:
        FileNotFoundError: If ``path`` does not exist or a directory holds no ``scalars.json``.
    """
    run = Path(path)
    if run.is_file():
        return [run]
    if not run.is_dir():
        raise FileNotFoundError(f'{path}: no such file or directory')
    logs = sorted(run.rglob('scalars.json'))
    if not logs:
        raise FileNotFoundError(f'{path}: no scalars.json below this directory (is it an mmengine work dir of a '
                                'run with the LocalVisBackend?)')
    return logs


def load_records(files: Sequence[Path]) -> List[dict]:
    """Read the JSON records (one per line, blank lines ignored) of the files, in order.

    Args:
        files (Sequence[Path]): Scalar logs.

    Returns:
        list[dict]: The records; each has a numeric ``step``.

    Raises:
        ValueError: If a line is not a JSON object with a numeric ``step``, or the files hold no record.
    """
    records = []
    for file in files:
        for record in read_json_records(file):
            if not isinstance(record.get('step'), (int, float)):
                raise ValueError(f'{file}: expected records with a numeric "step", got {json.dumps(record)[:80]}')
            records.append(record)
    if not records:
        raise ValueError(f'{", ".join(map(str, files))}: the log is empty (no scalar record)')
    return records


