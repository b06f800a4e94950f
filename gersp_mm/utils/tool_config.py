# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The config that ``tools/train.py`` and ``tools/test.py`` run, loaded as the host libraries' tools load it."""
import os.path as osp
from typing import Optional

from mmengine.config import Config
from mmengine.logging import print_log

from .config_overrides import check_redefined_variables, merge_cfg_options


def load_tool_config(config: str, cfg_options: Optional[dict] = None, work_dir: Optional[str] = None) -> Config:
    """Parse a config file, merge ``--cfg-options`` into it and set its work dir.

    An override of a config variable (``data_root=...``) also sets the keys that use it, as if the file had
    been edited (:func:`~gersp_mm.utils.config_overrides.merge_cfg_options`, which names each key so set); an
    override that would change nothing is refused, and so is a config that redefines a variable of its base
    which keys of the base still hold (:func:`~gersp_mm.utils.config_overrides.check_redefined_variables`).

    Args:
        config (str): The config file.
        cfg_options (dict, optional): ``--cfg-options`` as mmengine's ``DictAction`` parses them
            (``{'a.b': value}``), merged after the file is parsed.
        work_dir (str, optional): ``--work-dir``. Without it the config's own ``work_dir``, and without that
            ``./work_dirs/<config file name without extension>``.

    Returns:
        Config: The config with ``work_dir`` set.

    Raises:
        ConfigOverrideError: For an override or a redefined variable that would change nothing, naming it and
            the keys to set instead.
    """
    cfg = Config.fromfile(config)
    if osp.isfile(config):  # not for mmengine's 'package::path' names
        check_redefined_variables(cfg, config)
    if cfg_options is not None:
        for line in merge_cfg_options(cfg, cfg_options, config):
            print_log(f'--cfg-options {line}', logger='current')
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(config))[0])
    return cfg
