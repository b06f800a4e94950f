# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""GeRSP pre-training, built on mmpretrain. Modules register into mmpretrain's registries.

Use it from a config with ``custom_imports=dict(imports=['gersp_mm.pretrain'])`` and
``default_scope='mmpretrain'``. Its dataset converters (:mod:`gersp_mm.pretrain.converters`, behind
``tools/dataset_converters/``) register nothing and are not imported here.
"""
from .datasets import *  # noqa: F401,F403
from .hooks import *  # noqa: F401,F403
from .models import *  # noqa: F401,F403
from .samplers import *  # noqa: F401,F403
