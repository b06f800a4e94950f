# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Fixtures of the detection tests."""
from pathlib import Path
from typing import Callable, Dict, Optional

import pytest

from tests.det.dior_helpers import real_dior_xmls, write_dior


@pytest.fixture
def real_dior(tmp_path) -> Callable[..., Path]:
    """Factory of a dataset made of the real XMLs: train 00001 00002, val 00003 00013, test 11726 11727 23463."""

    def make(layout: str = 'nested', xmls: Optional[Dict[str, bytes]] = None) -> Path:
        splits = dict(train=['00001', '00002'], val=['00003', '00013'], test=['11726', '11727', '23463'])
        return write_dior(tmp_path / f'DIOR_{layout}', xmls or real_dior_xmls(), splits, layout=layout)

    return make
