# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""``nvcc`` of torch's CUDA version from the package index, and the ``CUDA_HOME`` that builds with it.

A CUDA build of torch from the package index brings CUDA's runtime, its libraries and their headers
(``site-packages/nvidia/cu13/{include,lib}``, from the ``cuda-toolkit`` meta-package it requires) but no
compiler. The compiler is four more packages of the same meta-package, at the versions it pins:
``nvidia-cuda-nvcc`` (``nvcc``, ``cudafe++``, ``ptxas``, ``fatbinary``, ``nvlink``), ``nvidia-nvvm``
(``cicc``, libdevice), ``nvidia-cuda-crt`` (the compiler's ``crt/`` headers) and ``nvidia-cuda-cccl``
(Thrust, CUB, libcu++). :func:`provision_toolkit` installs them once into the cache;
:func:`assemble_cuda_home` lays out the tree ``torch.utils.cpp_extension`` and ``nvcc`` expect under
``CUDA_HOME``, of symbolic links to that compiler and to torch's own CUDA headers and libraries, so the
ops are compiled against exactly the CUDA headers torch was built with.

Standard library only (see :mod:`gersp_mm.mmcv_build`).
"""
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, List, Optional, Sequence

#: the packages of the compiler, as the ``cuda-toolkit`` meta-package names them
TOOLKIT_PACKAGES = ('nvidia-cuda-nvcc', 'nvidia-nvvm', 'nvidia-cuda-crt', 'nvidia-cuda-cccl')
#: the first CUDA major version whose packages share one tree (``nvidia/cu<major>/``)
FIRST_SHARED_TREE_MAJOR = 13
# nvcc's target folder by machine (NVIDIA names 64-bit Arm servers "sbsa")
_TARGET_DIRS = {'x86_64': 'x86_64-linux', 'aarch64': 'sbsa-linux'}


class ToolkitError(RuntimeError):
    """The compiler cannot be provisioned or laid out (names the package or path at fault)."""


def _requirement_name(requirement: str) -> str:
    return re.split(r'[=<>!~;\s\[]', requirement, maxsplit=1)[0].strip().lower().replace('_', '-')


def toolkit_requirements(torch_cuda: str, cuda_toolkit_requires: Optional[Sequence[str]]) -> List[str]:
    """The pinned requirements of :data:`TOOLKIT_PACKAGES` for torch's CUDA version.

    Args:
        torch_cuda (str): ``torch.version.cuda``, e.g. ``'13.0'``.
        cuda_toolkit_requires (Sequence[str] | None): the ``Requires-Dist`` entries of the installed
            ``cuda-toolkit`` distribution (``importlib.metadata.requires('cuda-toolkit')``), whose versions
            are the ones torch's runtime comes with (``'nvidia-cuda-nvcc==13.0.88.*; ... extra == "nvcc"'``);
            None when it is not installed, then each package is pinned to ``==MAJOR.MINOR.*``.

    Returns:
        list[str]: one requirement per package, e.g. ``['nvidia-cuda-nvcc==13.0.88.*', ...]``.

    Raises:
        ToolkitError: CUDA older than 13 (its packages use another layout), or a pinned version that is
            not of torch's CUDA ``MAJOR.MINOR``.
    """
    major, minor = (int(part) for part in torch_cuda.split('.')[:2])
    if major < FIRST_SHARED_TREE_MAJOR:
        raise ToolkitError(f'provisioning nvcc from the package index needs torch built with CUDA >= '
                           f'{FIRST_SHARED_TREE_MAJOR} (this torch: CUDA {torch_cuda}); install a CUDA {major}.x '
                           'toolkit and set CUDA_HOME to it')
    pinned = {}
    for entry in cuda_toolkit_requires or ():
        spec = entry.split(';', 1)[0].strip().replace(' ', '')
        name = _requirement_name(spec)
        if name in TOOLKIT_PACKAGES:
            pinned.setdefault(name, spec[len(name):])
    requirements = []
    for name in TOOLKIT_PACKAGES:
        version = pinned.get(name, f'=={major}.{minor}.*')
        if not re.match(rf'^==\s*{major}\.{minor}(\.|$)', version):
            raise ToolkitError(f"cuda-toolkit pins {name}{version}, not torch's CUDA {torch_cuda}")
        requirements.append(name + version)
    return requirements


def pip_install_target(requirements: Sequence[str], target: Path) -> None:
    """Install the requirements, without dependencies, into the folder ``target`` with this Python's pip."""
    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', '--disable-pip-version-check', '--no-deps',
                    '--target', str(target), *requirements],
                   check=True)


def provision_toolkit(cache_dir: Path,
                      torch_cuda: str,
                      requirements: Sequence[str],
                      install: Callable[[Sequence[str], Path], None] = pip_install_target) -> Path:
    """The compiler's tree, installed into the cache unless it is there already.

    The packages go to ``<cache_dir>/toolkits/cuda-<torch_cuda>/`` with the requirements they were installed
    for in ``requirements.txt``; a tree installed for other requirements is replaced. They are installed into
    a ``.partial`` folder first and renamed when complete, so an interrupted install leaves nothing under the
    final name.

    Args:
        cache_dir (Path): ``$GERSP_CACHE``.
        torch_cuda (str): ``torch.version.cuda``.
        requirements (Sequence[str]): :func:`toolkit_requirements`.
        install (Callable): installs requirements into a folder (:func:`pip_install_target`).

    Returns:
        Path: the compiler's root ``.../nvidia/cu<major>`` (``bin/nvcc``, ``nvvm/``, ``include/``).

    Raises:
        ToolkitError: the install did not produce ``bin/nvcc`` and ``nvvm/bin/cicc``.
    """
    major = torch_cuda.split('.')[0]
    final = Path(cache_dir) / 'toolkits' / f'cuda-{torch_cuda}'
    wanted = ''.join(f'{requirement}\n' for requirement in requirements)
    stamp = final / 'requirements.txt'
    if not (stamp.is_file() and stamp.read_text() == wanted):
        partial = final.with_name(final.name + '.partial')
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        install(list(requirements), partial)
        root = partial / 'nvidia' / f'cu{major}'
        for tool in ('bin/nvcc', 'nvvm/bin/cicc'):
            if not (root / tool).is_file():
                raise ToolkitError(f'{" ".join(requirements)} installed no {tool} under {root}')
        (partial / 'requirements.txt').write_text(wanted)
        shutil.rmtree(final, ignore_errors=True)
        partial.rename(final)
    return final / 'nvidia' / f'cu{major}'


def torch_cuda_root(site_packages: Path, torch_cuda: str) -> Path:
    """Torch's CUDA tree in ``site_packages`` (``nvidia/cu<major>``, with ``include/cuda_runtime.h``).

    Raises:
        ToolkitError: there is none (a torch whose CUDA libraries do not come from the package index).
    """
    root = Path(site_packages) / 'nvidia' / f"cu{torch_cuda.split('.')[0]}"
    if not (root / 'include' / 'cuda_runtime.h').is_file():
        raise ToolkitError(f"torch's CUDA headers are not at {root / 'include'} (expected cuda_runtime.h there, "
                           'installed with a CUDA torch from the package index); set CUDA_HOME to a CUDA toolkit')
    return root


def _link_entries(dest: Path, sources: Sequence[Path]) -> None:
    """Fill the new folder ``dest`` with links to the entries of ``sources``; a later source wins a name."""
    dest.mkdir()
    for source in sources:
        if not source.is_dir():
            continue
        for entry in sorted(source.iterdir()):
            link = dest / entry.name
            if link.is_symlink():
                link.unlink()
            link.symlink_to(entry)


def assemble_cuda_home(dest: Path, compiler_root: Path, torch_root: Path) -> Path:
    """Lay out a ``CUDA_HOME`` of links to the provisioned compiler and to torch's CUDA tree.

    ``nvcc`` finds its tools and headers from the folder it is called from (``bin/..``, which the kernel
    resolves through a linked ``bin``), so ``dest/bin`` is a real folder of links to the compiler's tools;
    ``dest/nvvm`` links to the compiler's (``cicc``, libdevice); ``dest/include`` holds torch's headers and the
    compiler's (``crt/``, ``cccl/``: the compiler's win a shared name); ``dest/lib64`` (and ``lib``) torch's
    libraries and the compiler's, plus the unversioned ``libcudart.so`` the linker's ``-lcudart`` needs;
    ``dest/targets/<arch>-linux/{include,lib,lib64}`` point at those, where ``nvcc`` adds them to the
    include path (``-I .../include``, ``-isystem .../include/cccl``). An existing ``dest`` is replaced.

    Args:
        dest (Path): the folder to create (in the build folder: it refers to this environment's torch).
        compiler_root (Path): :func:`provision_toolkit`'s result.
        torch_root (Path): :func:`torch_cuda_root`'s result.

    Returns:
        Path: ``dest``, to be exported as ``CUDA_HOME``.

    Raises:
        ToolkitError: torch's tree has no ``libcudart.so.<N>``.
    """
    dest = Path(dest)
    if dest.is_symlink() or dest.is_file():
        dest.unlink()
    elif dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    _link_entries(dest / 'bin', [Path(compiler_root) / 'bin'])
    (dest / 'nvvm').symlink_to(Path(compiler_root) / 'nvvm')
    _link_entries(dest / 'include', [Path(torch_root) / 'include', Path(compiler_root) / 'include'])
    _link_entries(dest / 'lib64', [Path(torch_root) / 'lib', Path(compiler_root) / 'lib'])
    (dest / 'lib').symlink_to('lib64')
    target = dest / 'targets' / _TARGET_DIRS.get(platform.machine(), f'{platform.machine()}-linux')
    target.mkdir(parents=True)
    for name, folder in (('include', 'include'), ('lib', 'lib64'), ('lib64', 'lib64')):
        (target / name).symlink_to(Path('..', '..', folder))
    cudart = dest / 'lib64' / 'libcudart.so'
    if not cudart.exists():
        versioned = sorted(dest.glob('lib64/libcudart.so.*'))
        if not versioned:
            raise ToolkitError(f"no libcudart.so.<N> in {Path(torch_root) / 'lib'}: torch's CUDA runtime is missing")
        cudart.symlink_to(versioned[0].name)
    return dest

