# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Helpers shared by the tests of several folders (the tests folder is on ``sys.path``)."""
from pathlib import Path
from typing import Tuple

from gersp_mm.cls.scene_splits import main as split_scene_classification

ROOT = Path(__file__).resolve().parents[1]
NWPU = ROOT / 'tests' / 'data' / 'cls' / 'nwpu'


def write_nwpu_split(out_dir: Path) -> Tuple[Path, Path]:
    """The 20% train / 80% test lists of the real NWPU sample images (1 / 2 images per class), written by
    the split of ``tools/dataset_converters/split_scene_classification.py``."""
    split_scene_classification(['nwpu45', str(NWPU), '--train-ratio', '0.2', '--out-dir', str(out_dir)])
    return Path(out_dir) / 'train-20p_seed0.txt', Path(out_dir) / 'test-20p_seed0.txt'
