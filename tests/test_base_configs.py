# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Every config under a ``configs/*/_base_`` folder parses on its own (the model configs inherit them)."""
import pytest
from mmengine.config import Config

from tests.helpers import ROOT

BASE_CONFIGS = sorted((ROOT / 'configs').glob('*/_base_/**/*.py'))


def test_there_are_base_configs_of_every_area():
    assert {path.relative_to(ROOT / 'configs').parts[0] for path in BASE_CONFIGS} == {'cls', 'det', 'pretrain', 'seg'}


@pytest.mark.parametrize('path', BASE_CONFIGS, ids=lambda path: str(path.relative_to(ROOT / 'configs')))
def test_base_config_loads(path):
    assert Config.fromfile(str(path)).to_dict()
