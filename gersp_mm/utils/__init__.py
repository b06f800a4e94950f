# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""What the command lines in ``tools/`` share: the config a tool runs, and the environment it runs in.

- :mod:`.tool_config`: a config file loaded as ``tools/train.py`` and ``tools/test.py`` load it
  (:func:`load_tool_config`);
- :mod:`.config_overrides`: ``--cfg-options`` that take effect, and configs that redefine a variable of
  their base refused;
- :mod:`.evaluation_options`: what ``tools/test.py`` adds to a config (``--out``, ``--show-dir``, ``--tta``);
- :mod:`.tool_errors`: the package's own errors end ``tools/train.py`` and ``tools/test.py`` as one line,
  ``error: <sentence>`` (:func:`~.tool_errors.package_errors_as_sentences`);
- :mod:`.package_files`: where the configs and tools the package ships are (:func:`config_root`, :func:`tool_path`);
- :mod:`.collect_env`: the environment report and self-check, a command line of its own
  (``python -m gersp_mm.utils.collect_env --check``, step 6 of ``tools/setup_env.sh``); not imported here,
  so that ``python -m`` runs it as a fresh module.
"""
from .config_overrides import ConfigOverrideError, check_redefined_variables, merge_cfg_options
from .evaluation_options import dump_predictions, enable_tta, enable_visualization, host_of
from .package_files import config_root, tool_path
from .tool_config import load_tool_config

__all__ = ['ConfigOverrideError', 'check_redefined_variables', 'merge_cfg_options', 'dump_predictions',
           'enable_tta', 'enable_visualization', 'host_of', 'config_root', 'tool_path', 'load_tool_config']
