# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""A test pipeline that leaves real images of different sizes (64-px EuroSAT, 256-px NWPU) is a clear error."""
import shutil

import pytest
from mmengine.config import Config

from gersp_mm.frozen_eval import BackboneSpec, build_split, compute_features, load_backbone, normalisation
from tests.frozen_eval.frozen_eval_helpers import EUROSAT
from tests.helpers import NWPU


def test_images_of_different_sizes_without_resize(tmp_path):
    images = {'small': EUROSAT / 'Forest' / 'Forest_1.jpg', 'large': NWPU / 'airport' / 'airport_001.jpg'}
    for name, image in images.items():
        (tmp_path / name).mkdir()
        shutil.copy(image, tmp_path / name)
    dataset = dict(type='CustomDataset', data_root=str(tmp_path),
                   pipeline=[dict(type='LoadImageFromFile'), dict(type='PackInputs')])
    cfg = Config(dict(data_preprocessor=dict(mean=[0, 0, 0], std=[1, 1, 1]), train_dataloader=dict(dataset=dataset),
                      test_dataloader=dict(dataset=dataset)))
    backbone, _ = load_backbone(BackboneSpec('r18', 'random'), depth=18)
    with pytest.raises(ValueError, match=r'images of different sizes \[\(3, 64, 64\), \(3, 256, 256\)\] in one batch; '
                       'end the pipeline'):
        compute_features(backbone, build_split(cfg, 'test'), normalisation(cfg), batch_size=2, progress=False)
