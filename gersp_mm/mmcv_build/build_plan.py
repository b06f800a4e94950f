# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Which mmcv ops to build: CPU or CUDA kernels, with which CUDA toolkit, for which GPU architectures.

Standard library only (see :mod:`gersp_mm.mmcv_build`).
"""
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Tuple

from .cuda_toolkit import FIRST_SHARED_TREE_MAJOR

#: ``TORCH_CUDA_ARCH_LIST`` when none is set: A100 (sm_80), L4/L40/RTX 4090 (sm_89), H100/H200 (sm_90).
DEFAULT_CUDA_ARCH_LIST = '8.0;8.9;9.0'
#: where torch looks for a CUDA toolkit last
DEFAULT_CUDA_HOME = '/usr/local/cuda'
#: the ``cuda_home`` of a plan that provisions ``nvcc`` from the package index
PACKAGE_INDEX = 'package-index'

_ARCH = re.compile(r'^\d+\.\d+a?(\+PTX)?$')


class BuildPlanError(ValueError):
    """A setting that cannot be built (names the environment variable and what it accepts)."""


@dataclass(frozen=True)
class BuildPlan:
    """The mmcv build that step 4 of ``tools/setup_env.sh`` runs.

    Attributes:
        flavour (str): ``'cpu'`` or ``'cu'`` + torch's CUDA version without the dot (``'cu130'``).
        cuda_home (str): ``''`` for the CPU flavour, the root of the system's CUDA toolkit, or
            :data:`PACKAGE_INDEX` when ``nvcc`` of torch's CUDA version is to be provisioned.
        arch_list (str): ``TORCH_CUDA_ARCH_LIST`` of the CUDA flavour (``';'``-separated), ``''`` for CPU.
        reason (str): why this plan, in one sentence for the setup log.
    """
    flavour: str
    cuda_home: str = ''
    arch_list: str = ''
    reason: str = ''

    @property
    def key_flavour(self) -> str:
        """The flavour part of the wheel's cache key: ``'cpu'``, or e.g. ``'cu130-arch8.0_8.9_9.0'``."""
        if self.flavour == 'cpu':
            return 'cpu'
        return f"{self.flavour}-arch{self.arch_list.replace(';', '_')}"

    def shell_assignments(self) -> str:
        """``NAME=value`` lines for the setup's ``eval``: FLAVOUR, KEY_FLAVOUR, PLAN_CUDA_HOME, CUDA_ARCH_LIST."""
        values = dict(FLAVOUR=self.flavour, KEY_FLAVOUR=self.key_flavour, PLAN_CUDA_HOME=self.cuda_home,
                      CUDA_ARCH_LIST=self.arch_list)
        return ''.join(f'{name}={shlex.quote(value)}\n' for name, value in values.items())


def parse_nvcc_release(version_text: str) -> Optional[Tuple[int, int]]:
    """The CUDA release of ``nvcc --version``'s output (``'... release 13.0, V13.0.88'`` -> ``(13, 0)``).

    Returns:
        tuple | None: ``(major, minor)``, or None when the text names no release.
    """
    match = re.search(r'release (\d+)\.(\d+)', version_text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def find_cuda_home(environ: Mapping[str, str], which: Callable[[str], Optional[str]] = shutil.which) -> Optional[str]:
    """The CUDA toolkit to build with, found where torch's extension builder looks for one.

    ``$CUDA_HOME`` (or ``$CUDA_PATH``) when set (then only there: torch would use it), else the folder above
    ``nvcc`` on ``PATH`` when it holds CUDA's headers (``include/cuda_runtime.h``; a wrapper script such as
    ``/usr/local/bin/nvcc`` is no toolkit root), else ``/usr/local/cuda``. The setup exports the result as
    ``CUDA_HOME``, so torch builds with exactly the toolkit checked here.

    Args:
        environ (Mapping[str, str]): the environment (``os.environ``).
        which (Callable): ``shutil.which``.

    Returns:
        str | None: the toolkit's root (with an executable ``bin/nvcc``), or None when there is none.
    """
    explicit = environ.get('CUDA_HOME') or environ.get('CUDA_PATH')
    if explicit:
        candidates = [explicit]
    else:
        on_path = which('nvcc')
        candidates = [os.path.dirname(os.path.dirname(on_path))] if on_path else []
        candidates = [root for root in candidates if os.path.isfile(os.path.join(root, 'include', 'cuda_runtime.h'))]
        candidates.append(DEFAULT_CUDA_HOME)
    for root in candidates:
        if os.access(os.path.join(root, 'bin', 'nvcc'), os.X_OK):
            return root
    return None


def nvcc_release(cuda_home: str) -> Optional[Tuple[int, int]]:
    """The CUDA release ``(major, minor)`` of the toolkit's ``bin/nvcc``, None if it does not say."""
    try:
        result = subprocess.run([os.path.join(cuda_home, 'bin', 'nvcc'), '--version'],
                                capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return parse_nvcc_release(result.stdout)


def _arch_list(arch_list: Optional[str]) -> str:
    if not arch_list:
        return DEFAULT_CUDA_ARCH_LIST
    archs = arch_list.replace(' ', ';').split(';')
    archs = [arch for arch in archs if arch]
    bad = [arch for arch in archs if not _ARCH.match(arch)]
    if bad or not archs:
        raise BuildPlanError(f'TORCH_CUDA_ARCH_LIST={arch_list!r}: expected compute capabilities such as '
                             f"'8.0;8.9;9.0' (optionally '+PTX'), got {bad or 'none'}")
    return ';'.join(archs)


def plan_build(torch_cuda: str,
               mmcv_cuda: str,
               gpu_seen: bool,
               cuda_home: Optional[str],
               release: Optional[Tuple[int, int]],
               nvcc_mode: str = 'auto',
               arch_list: Optional[str] = None) -> BuildPlan:
    """Decide the mmcv build.

    CUDA kernels are asked for by ``MMCV_CUDA=1``, or by ``MMCV_CUDA=auto`` when a GPU is visible; they
    need a torch built with CUDA. They are compiled by the toolkit found (:func:`find_cuda_home`) when its
    major CUDA version is torch's, otherwise (none found, another major version, or ``MMCV_NVCC=provision``)
    by one of torch's CUDA version provisioned from the package index
    (:func:`gersp_mm.mmcv_build.provision_toolkit`).

    Args:
        torch_cuda (str): ``torch.version.cuda`` (``'13.0'``), or ``'none'`` for a CPU-only torch.
        mmcv_cuda (str): ``MMCV_CUDA``: ``'auto'``, ``'1'`` or ``'0'``.
        gpu_seen (bool): whether torch sees a GPU.
        cuda_home (str | None): the toolkit found, if any.
        release (tuple | None): its ``nvcc``'s CUDA ``(major, minor)`` (:func:`nvcc_release`).
        nvcc_mode (str): ``MMCV_NVCC``: ``'auto'`` (the system's when it matches) or ``'provision'``.
        arch_list (str | None): ``TORCH_CUDA_ARCH_LIST``; unset or empty means
            :data:`DEFAULT_CUDA_ARCH_LIST`.

    Returns:
        BuildPlan: the plan.

    Raises:
        BuildPlanError: an unknown ``MMCV_CUDA``/``MMCV_NVCC`` value, a malformed arch list, or
            ``MMCV_CUDA=1`` with a torch without CUDA, or ``nvcc`` to provision for a CUDA older than
            :data:`~gersp_mm.mmcv_build.cuda_toolkit.FIRST_SHARED_TREE_MAJOR`.
    """
    if mmcv_cuda not in ('auto', '0', '1'):
        raise BuildPlanError(f"MMCV_CUDA={mmcv_cuda!r}: expected 'auto', '1' or '0'")
    if nvcc_mode not in ('auto', 'provision'):
        raise BuildPlanError(f"MMCV_NVCC={nvcc_mode!r}: expected 'auto' or 'provision'")
    if torch_cuda == 'none':
        if mmcv_cuda == '1':
            raise BuildPlanError('MMCV_CUDA=1 but the installed torch has no CUDA (torch.version.cuda is None): '
                                 'install a CUDA build of torch (TORCH_SPEC / TORCH_INDEX_URL) or set MMCV_CUDA=0')
        return BuildPlan('cpu', reason='torch has no CUDA')
    if mmcv_cuda == '0' or (mmcv_cuda == 'auto' and not gpu_seen):
        return BuildPlan('cpu', reason='MMCV_CUDA=0' if mmcv_cuda == '0' else 'MMCV_CUDA=auto and no GPU visible')
    flavour = 'cu' + torch_cuda.replace('.', '')
    archs = _arch_list(arch_list)
    torch_major = int(torch_cuda.split('.')[0])
    if nvcc_mode == 'provision':
        provision_reason = 'MMCV_NVCC=provision'
    elif cuda_home is None:
        provision_reason = 'no CUDA toolkit found (CUDA_HOME, nvcc on PATH, /usr/local/cuda)'
    elif release is None or release[0] != torch_major:
        found = 'an unknown release' if release is None else f'CUDA {release[0]}.{release[1]}'
        provision_reason = f'the nvcc of {cuda_home} is {found}, torch needs CUDA {torch_major}.x'
    else:
        provision_reason = ''
    if provision_reason:
        if torch_major < FIRST_SHARED_TREE_MAJOR:
            raise BuildPlanError(f'{provision_reason}; nvcc is provisioned from the package index for torch built '
                                 f'with CUDA >= {FIRST_SHARED_TREE_MAJOR} only: install a CUDA {torch_cuda} toolkit '
                                 'and set CUDA_HOME to it')
        return BuildPlan(flavour, PACKAGE_INDEX, archs, provision_reason)
    return BuildPlan(flavour, cuda_home, archs,
                     f'the nvcc of {cuda_home} is CUDA {release[0]}.{release[1]}, as torch ({torch_cuda})')
