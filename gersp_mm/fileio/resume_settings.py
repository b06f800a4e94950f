# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The settings a resumable conversion wrote a folder with, recorded in it, so that a rerun resumes only with
the same settings (``tools/dataset_converters/pre_resize.py``, ``chip_scenes.py``)."""
import json
import os.path as osp

from .atomic import atomic_write


def check_resume_settings(dst_root: str, file_name: str, settings: dict) -> None:
    """Record ``settings`` in ``dst_root/file_name`` on the first run; refuse other settings on a rerun.

    Args:
        dst_root (str): The output folder (existing).
        file_name (str): The record's name in it, e.g. ``'.pre_resize.json'``.
        settings (dict): JSON-serialisable settings (tuples are compared as the lists JSON stores).

    Raises:
        ValueError: If the folder was written with other settings, naming both and what to do.
    """
    path = osp.join(dst_root, file_name)
    recorded = json.loads(json.dumps(settings))
    if osp.exists(path):
        with open(path, encoding='utf-8') as f:
            previous = json.load(f)
        if previous != recorded:
            raise ValueError(f'{dst_root} was written with {previous}, not {recorded}: resume with the same '
                             'settings or write to a new folder')
        return
    with atomic_write(path, 'w') as f:
        json.dump(recorded, f, indent=1)
