# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The logged scalars of the demo's runs, read with the package's one log reader (``read_json_records``)."""
import glob
import os.path as osp
from typing import List, Sequence, Tuple

from gersp_mm.analysis.scalar_logs import read_json_records


def scalar_log(work_dir: str) -> dict:
    """The scalars of the newest run in an mmengine work dir (``<timestamp>/vis_data/scalars.json``).

    Returns:
        dict: ``train`` (records with a learning rate: the training iterations) and ``val`` (the others:
        evaluations and the k-NN monitor), each a list of dicts with their ``step`` (the split of
        mmpretrain's ``load_json_log``).
    """
    logs = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not logs:
        raise FileNotFoundError(f'no <timestamp>/vis_data/scalars.json in {work_dir}')
    records = read_json_records(logs[-1])
    return dict(train=[record for record in records if 'lr' in record],
                val=[record for record in records if 'lr' not in record])


def curve(records: Sequence[dict], key: str) -> Tuple[List[float], List[float]]:
    """``(steps, values)`` of ``key`` in the records that have it."""
    points = [(record['step'], record[key]) for record in records if key in record]
    return [step for step, _ in points], [value for _, value in points]


def final_value(work_dir: str, key: str) -> float:
    """The last logged value of an evaluation or monitor scalar (``key``) of a run."""
    _, values = curve(scalar_log(work_dir)['val'], key)
    if not values:
        raise ValueError(f'{work_dir}: no {key!r} in the logged scalars')
    return float(values[-1])
