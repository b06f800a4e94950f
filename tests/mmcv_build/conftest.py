# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import os
import subprocess
import sys
from pathlib import Path

import pytest

import gersp_mm.mmcv_build


@pytest.fixture
def run_cli():
    """``python -m mmcv_build ARGS`` as step 4 of the setup runs it (``PYTHONPATH=gersp_mm``), with mmengine and
    gersp_mm unimportable (the setup runs it before they are installed) and without the environment variables
    it reads unless given."""

    def run(args, env_extra=None) -> subprocess.CompletedProcess:
        env = {key: value for key, value in os.environ.items()
               if key not in ('CUDA_HOME', 'CUDA_PATH', 'MMCV_NVCC', 'TORCH_CUDA_ARCH_LIST')}
        env.update(env_extra or {}, PYTHONPATH=str(Path(gersp_mm.mmcv_build.__file__).parents[1]))
        code = ("import runpy, sys; sys.modules['mmengine'] = sys.modules['gersp_mm'] = None; "
                "sys.argv[0] = 'mmcv_build'; runpy.run_module('mmcv_build', run_name='__main__')")
        return subprocess.run([sys.executable, '-c', code, *args], capture_output=True, text=True, env=env)

    return run
