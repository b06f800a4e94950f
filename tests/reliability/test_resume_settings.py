# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""A resumable conversion's folder records its settings; a rerun with others is refused, naming both."""
import json

import pytest

from gersp_mm.fileio.resume_settings import check_resume_settings
from gersp_mm.pretrain.converters.image_resizing import pre_resize_folder
from tests.helpers import ROOT


def test_recorded_once_and_compared_as_json(tmp_path):
    check_resume_settings(str(tmp_path), '.conv.json', dict(size=128, bands=(3, 2, 1)))
    assert json.loads((tmp_path / '.conv.json').read_text()) == dict(size=128, bands=[3, 2, 1])
    check_resume_settings(str(tmp_path), '.conv.json', dict(size=128, bands=[3, 2, 1]))  # the same settings
    with pytest.raises(ValueError, match=r"was written with \{'size': 128, 'bands': \[3, 2, 1\]\}, not "
                       r"\{'size': 256, 'bands': \[3, 2, 1\]\}: resume with the same settings or write to a new"):
        check_resume_settings(str(tmp_path), '.conv.json', dict(size=256, bands=(3, 2, 1)))
    assert [path.name for path in tmp_path.iterdir()] == ['.conv.json']  # no temporary file left


def test_pre_resize_refuses_to_resume_with_another_size(tmp_path):
    src = ROOT / 'tests' / 'data' / 'pretrain' / 'rs'
    pre_resize_folder(str(src), str(tmp_path), max_side=64, workers=0, progress=False)
    with pytest.raises(ValueError, match=r"'max_side': 64, 'quality': 90\}, not \{'max_side': 32"):
        pre_resize_folder(str(src), str(tmp_path), max_side=32, workers=0, progress=False)
