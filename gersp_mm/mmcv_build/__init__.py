# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""How ``tools/setup_env.sh`` builds mmcv's compiled ops: the flavour, the CUDA compiler, the cache key.

Step 4 of the setup runs this sub-package before any of gersp_mm's dependencies is installed, so it uses
the standard library only and imports nothing else from gersp_mm: the script runs it as the top-level
package ``mmcv_build`` (``PYTHONPATH=gersp_mm python -m mmcv_build ...``, see :mod:`.__main__`), the tests
import it as ``gersp_mm.mmcv_build``.

- :mod:`.build_plan`: CPU or CUDA kernels, which ``nvcc`` (the system's, or one from the package index),
  the architectures and the wheel's cache key;
- :mod:`.cuda_toolkit`: ``nvcc`` of torch's CUDA version from the package index, and the ``CUDA_HOME`` the
  build sees (that compiler + torch's own CUDA headers and libraries);
- :mod:`.cuda_kernels`: the GPU architectures of the built extension's CUDA kernels (the setup's self-check,
  :mod:`gersp_mm.utils.collect_env`).
"""
from .build_plan import (
    DEFAULT_CUDA_ARCH_LIST,
    BuildPlan,
    BuildPlanError,
    find_cuda_home,
    parse_nvcc_release,
    plan_build,
)
from .cuda_toolkit import ToolkitError, assemble_cuda_home, provision_toolkit, toolkit_requirements, torch_cuda_root

__all__ = [
    'DEFAULT_CUDA_ARCH_LIST', 'BuildPlan', 'BuildPlanError', 'find_cuda_home', 'parse_nvcc_release', 'plan_build',
    'ToolkitError', 'assemble_cuda_home', 'provision_toolkit', 'toolkit_requirements', 'torch_cuda_root'
]
