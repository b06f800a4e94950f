# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Bad input files met through the configs and tools a user runs: an error names the file."""
import shutil

import pytest
from helpers import ROOT
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS

from gersp_mm.pretrain.datasets import ImageDecodeError

NWPU = ROOT / 'tests/data/cls/nwpu'
NWPU_CONFIG = ROOT / 'configs/cls/nwpu45/resnet50-gersp_8xb32_nwpu45-20p.py'


@pytest.mark.parametrize('split', ['train', 'val'])
def test_an_empty_image_in_a_classification_set_is_named(tmp_path, split):
    """A 0-byte file (an interrupted copy) among the NWPU images: the error names it (LoadImageFromFile
    failed inside cv2.imdecode: '!buf.empty()' with no file name)."""
    root = tmp_path / 'nwpu'
    shutil.copytree(NWPU, root)
    empty = root / 'airport' / 'airport_009.jpg'
    empty.write_bytes(b'')
    (tmp_path / 'list.txt').write_text('airport/airport_009.jpg 1\n')
    cfg = Config.fromfile(str(NWPU_CONFIG))
    init_default_scope(cfg.default_scope)
    dataset_cfg = cfg[f'{split}_dataloader'].dataset
    dataset_cfg.update(data_root=str(root), ann_file=str(tmp_path / 'list.txt'))
    dataset = DATASETS.build(dataset_cfg)
    with pytest.raises(ImageDecodeError, match=f'^Cannot decode image {empty}: '):
        dataset[0]
