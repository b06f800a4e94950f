# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Loading the repository's configs in the tests (each file is parsed once per session) and the checks that
the downstream areas share."""
import copy
from functools import lru_cache
from typing import List

from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.utils import import_modules_from_strings

from tests.helpers import ROOT


def config_files(area: str) -> List[str]:
    """The config files of ``configs/<area>`` below its subfolders except ``_base_``, sorted."""
    return sorted(str(path) for path in (ROOT / 'configs' / area).glob('*/*.py') if path.parent.name != '_base_')


@lru_cache(maxsize=None)
def read_config(path: str) -> Config:
    """The parsed config (shared: do not modify it)."""
    return Config.fromfile(path)


def load_config(path: str) -> Config:
    """A copy of the config, with its custom imports done and its default scope set (as the Runner does)."""
    cfg = copy.deepcopy(read_config(path))
    import_modules_from_strings(**cfg.custom_imports)
    init_default_scope(cfg.default_scope)
    return cfg


def without_backbone_init(cfg: Config) -> dict:
    """The config as a dict, without ``model.backbone.init_cfg``."""
    rest = cfg.to_dict()
    rest['model']['backbone'].pop('init_cfg')
    return rest


def assert_only_the_init_differs(gersp: Config, in1k: Config, random: Config) -> dict:
    """Defect D8: the GeRSP, ImageNet and random variants of a downstream config differ only in the backbone's
    ``init_cfg``; GeRSP loads ``backbone.*`` of its export, ImageNet torchvision's ResNet-50 (the random init,
    which differs by area, is the caller's to check). Returns the GeRSP config as a dict without that init."""
    assert gersp.gersp_checkpoint == 'checkpoints/gersp_r50_backbone.pth'
    assert gersp.model.backbone.init_cfg == dict(type='Pretrained', checkpoint=gersp.gersp_checkpoint,
                                                 prefix='backbone.', _scope_='gersp_mm')
    assert in1k.model.backbone.init_cfg == dict(type='Pretrained', checkpoint='torchvision://resnet50')
    reference = without_backbone_init(gersp)
    for name, other in (('in1k', in1k), ('random', random)):
        assert without_backbone_init(other) == reference, f'{name} differs from GeRSP beyond the backbone init'
    return reference
