# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The dataset check of tools/analysis_tools/check_dataset.py (gersp_mm.analysis.check_config) on a DIOR-R
config (mmrotate scope) with real DIOR-R XMLs: objects counted per class, the widened zero-area polygon named,
the 800x787 image matched, and samples drawn with their rotated boxes."""
import re
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

from gersp_mm.analysis import check_config
from tests.det.dior_helpers import write_dior
from tests.helpers import ROOT

CONFIG = ROOT / 'configs' / 'det' / 'oriented-rcnn-le90_r50-gersp_fpn_1x_dior-r.py'
XMLS = ROOT / 'tests' / 'data' / 'det' / 'dior_r' / 'Annotations' / 'Oriented Bounding Boxes'
SPLITS = dict(train=['00001', '01072'], val=['04137'], test=['23463'])
GREY = 120


def test_dior_r_config_report_and_pictures(tmp_path, capsys):
    xmls = {img_id: (XMLS / f'{img_id}.xml').read_bytes() for ids in SPLITS.values() for img_id in ids}
    root = write_dior(tmp_path / 'DIOR', xmls, SPLITS, layout='oriented')
    for img_id in xmls:  # flat grey images of the sizes the XMLs give
        width, height = (int(re.search(rf'<{key}>(\d+)</{key}>'.encode(), xmls[img_id]).group(1))
                         for key in ('width', 'height'))
        cv2.imwrite(str(next(root.glob(f'JPEGImages-*/{img_id}.jpg'))), np.full((height, width, 3), GREY, np.uint8))
    options = {f'{split}_dataloader.dataset.data_root': f'{root}/' for split in ('train', 'val', 'test')}
    reports = check_config(str(CONFIG), cfg_options=options, show_dir=str(tmp_path / 'drawn'), num=2)
    out = capsys.readouterr().out
    assert all(report.ok for report in reports), out
    assert "default_scope 'mmrotate'" in out and out.rstrip().endswith('no problem found')
    train, test = reports[0], reports[1]  # val and test: the test split (reported once)
    assert reports[2].same_as == 'val'
    assert (train.dataset_type, train.num_samples) == ('DIORRDataset', 3)  # trainval: 00001, 01072, 04137
    names = Counter(name.decode().lower() for img_id in ('00001', '01072', '04137')
                    for name in re.findall(rb'<name>([^<]+)</name>', xmls[img_id]))
    assert {name: count for name, count in train.per_class.items() if count} == dict(names)
    assert [fix.name() for fix in train.box_fixes] == ['04137.xml obj 13'] and '04137.xml obj 13' in out
    assert not train.size_mismatches  # 01072 is 800x787, as its XML says
    assert test.per_class['vehicle'] == 3 and test.per_class['overpass'] == 1
    # the golf field of 00001 drawn as a polygon on the grey image: its corners (133, 237) ... (684, 672)
    drawn = cv2.imread(str(next(Path(tmp_path / 'drawn').glob('train_*_00001.png'))))
    assert drawn.shape == (800, 800, 3)
    assert np.abs(drawn[237, 300].astype(int) - GREY).max() > 40  # on the top edge
    assert np.abs(drawn[450, 400].astype(int) - GREY).max() < 10  # inside, not filled
