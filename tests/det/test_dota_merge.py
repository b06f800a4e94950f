# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Patch detections merged back to full images in the DOTA evaluation server's Task1 format: mmrotate's
DOTAMetric(merge_patches=True, format_only=True) on the patch names the OBB converter writes."""
import math
import zipfile

import numpy as np
import torch
from mmrotate.evaluation import DOTAMetric

from gersp_mm.det.converters.polygon_cutting import patch_name
from gersp_mm.det.datasets import DOTA_CLASSES

PLANE, SHIP = DOTA_CLASSES.index('plane'), DOTA_CLASSES.index('ship')


def corners(cx, cy, w, h, theta):
    """Independent reference: the four corners of a rotated box, as a set of rounded points."""
    points = []
    for sx, sy in ((1, 1), (1, -1), (-1, -1), (-1, 1)):
        dx, dy = sx * w / 2, sy * h / 2
        points.append((round(cx + dx * math.cos(theta) - dy * math.sin(theta), 2),
                       round(cy + dx * math.sin(theta) + dy * math.cos(theta), 2)))
    return sorted(points)


def sample(img_id, boxes, scores, labels):
    return dict(img_id=img_id, gt_instances={}, ignored_instances={},
                pred_instances=dict(bboxes=torch.tensor(boxes, dtype=torch.float32),
                                    scores=torch.tensor(scores, dtype=torch.float32),
                                    labels=torch.tensor(labels, dtype=torch.int64)))


def test_two_overlapping_patches_detecting_one_plane_give_one_box_in_full_image_coordinates(tmp_path):
    """Patches (0, 0) and (824, 0) of a 2000-px image overlap on x 824-1024. A plane centred at (1000, 300),
    100x40 px at 0.3 rad, is detected in both (slightly differently, scores 0.9 and 0.8): the merge keeps one
    box, the better one, shifted to the full image. A second plane, seen by the right patch only at (100, 500),
    lands at (924, 500); a ship on the first plane's place is another class and stays."""
    left, right = patch_name('P0001', 1024, 0, 0), patch_name('P0001', 1024, 824, 0)
    assert (left, right) == ('P0001__1024__0___0', 'P0001__1024__824___0')
    metric = DOTAMetric(format_only=True, merge_patches=True, outfile_prefix=str(tmp_path / 'Task1'))
    metric.dataset_meta = dict(classes=DOTA_CLASSES)
    metric.process({}, [
        sample(left, [[1000, 300, 100, 40, 0.3], [1000, 300, 100, 40, 0.3]], [0.9, 0.55], [PLANE, SHIP]),
        sample(right, [[176, 301, 98, 40, 0.31], [100, 500, 60, 30, -0.5]], [0.8, 0.7], [PLANE, PLANE]),
        sample(patch_name('P0002', 1024, 0, 0), np.zeros((0, 5)), [], []),
    ])
    assert metric.compute_metrics(metric.results) == {}
    planes = (tmp_path / 'Task1' / 'Task1_plane.txt').read_text().splitlines()
    assert len(planes) == 2
    merged = {}
    for line in planes:
        fields = line.split()
        assert fields[0] == 'P0001' and len(fields) == 10
        merged[float(fields[1])] = sorted(zip(map(float, fields[2::2]), map(float, fields[3::2])))
    assert sorted(merged) == [0.7, 0.9]
    np.testing.assert_allclose(merged[0.9], corners(1000, 300, 100, 40, 0.3), atol=0.011)
    np.testing.assert_allclose(merged[0.7], corners(924, 500, 60, 30, -0.5), atol=0.011)
    ships = (tmp_path / 'Task1' / 'Task1_ship.txt').read_text().split()
    assert ships[:2] == ['P0001', '0.55']
    with zipfile.ZipFile(tmp_path / 'Task1' / 'Task1.zip') as archive:
        assert sorted(archive.namelist()) == sorted(f'Task1_{name}.txt' for name in DOTA_CLASSES)
