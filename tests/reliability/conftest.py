# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import shutil

import pytest

from tests.reliability.toy_runs import toy_runner


@pytest.fixture(scope='module')
def toy_reference(tmp_path_factory):
    """An uninterrupted 6-iteration toy run with a checkpoint after every iteration."""
    work_dir = tmp_path_factory.mktemp('toy_reference')
    toy_runner(work_dir, max_iters=6).train()
    return work_dir


@pytest.fixture
def interrupted_toy(toy_reference, tmp_path):
    """A work dir as left by the reference run stopped after iteration 4 (checkpoints 1-4)."""
    for step in range(1, 5):
        shutil.copy(toy_reference / f'iter_{step}.pth', tmp_path / f'iter_{step}.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_4.pth'))
    return tmp_path
