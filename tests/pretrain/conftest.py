# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import pytest
from mmengine.registry import init_default_scope


@pytest.fixture(autouse=True)
def mmpretrain_scope():
    """Build registry objects in mmpretrain's scope (as the Runner does for these configs),
    whatever scope an earlier test left behind."""
    init_default_scope('mmpretrain')
