# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The config tools/train.py and tools/test.py run: --cfg-options merged, the work dir as mmengine's tools set it."""
import pytest

from gersp_mm.utils import load_tool_config


@pytest.fixture
def config(tmp_path):
    path = tmp_path / 'tiny_model.py'
    path.write_text("model = dict(type='Tiny', depth=18, head=dict(num_classes=10))\n")
    return str(path)


def test_cfg_options_are_merged_into_the_file(config):
    cfg = load_tool_config(config, {'model.head.num_classes': 45, 'randomness.seed': 3})
    assert cfg.model == dict(type='Tiny', depth=18, head=dict(num_classes=45)) and cfg.randomness == dict(seed=3)


@pytest.mark.parametrize('cfg_options, work_dir, expected', [
    (None, None, './work_dirs/tiny_model'),  # the config file's name
    ({'work_dir': 'from_config'}, None, 'from_config'),  # the config's own
    ({'work_dir': 'from_config'}, 'from_flag', 'from_flag'),  # --work-dir first
])
def test_work_dir(config, cfg_options, work_dir, expected):
    assert load_tool_config(config, cfg_options, work_dir).work_dir == expected
