# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Loading the repository's configs in the tests: each file is parsed once per session."""
import copy
from functools import lru_cache

from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.utils import import_modules_from_strings


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
