# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""mmrotate's own ``browse_dataset.py`` (unmodified, from the installed package) on the DIOR-R config: it builds
the dataset and the per-run visualizer of the config and paints the rotated ground-truth boxes."""
import os.path as osp
from pathlib import Path

import cv2
import mmrotate
import numpy as np
import pytest

from tests.det.test_dior_r_train import CONFIG, tiny_dior_r
from tests.helpers import run_python

BROWSE = Path(osp.dirname(mmrotate.__file__)) / '.mim' / 'tools' / 'analysis_tools' / 'browse_dataset.py'


@pytest.mark.slow
def test_mmrotate_browse_dataset_paints_the_rotated_boxes(tmp_path):
    root = tiny_dior_r(tmp_path / 'DIOR')
    config = tmp_path / 'dior_r.py'
    config.write_text(f'_base_ = {str(CONFIG)!r}\ntrain_dataloader = dict(dataset=dict(data_root={str(root)!r}))\n')
    run_python(BROWSE, config, '--output-dir', 'browsed', '--not-show', cwd=tmp_path, OMP_NUM_THREADS='1')

    browsed = sorted((tmp_path / 'browsed').iterdir())
    assert [path.name for path in browsed] == ['00001.jpg', '00002.jpg', '00003.jpg', '00004.jpg']  # trainval
    for path in browsed:
        # the training view (resized to 800 px) painted with its boxes | the same view unpainted
        image = cv2.imread(str(path)).astype(np.int16)
        assert image.shape == (800, 1600, 3), path.name
        painted, plain = image[:, :800], image[:, 800:]
        changed = np.abs(painted - plain).max(axis=2) > 60
        # the outlines of three rotated boxes (one golf field in 00001): more than a few hundred pixels,
        # and only thin lines, not a fill
        assert 300 < changed.sum() < 0.1 * changed.size, (path.name, changed.sum())
