# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Command line of step 4 of ``tools/setup_env.sh`` (run with the environment's Python)::

    PYTHONPATH=gersp_mm python -m mmcv_build plan --torch-cuda 13.0 --mmcv-cuda auto --gpu-seen 0
    PYTHONPATH=gersp_mm python -m mmcv_build provision --cache ~/.cache/gersp_mm --torch-cuda 13.0 \\
        --cuda-home /tmp/build/cuda_home

``plan`` prints ``NAME=value`` lines for the script's ``eval`` (:meth:`BuildPlan.shell_assignments`) and its
reason on stderr; it reads ``CUDA_HOME``/``CUDA_PATH``/``PATH`` (where a toolkit may be),
``MMCV_NVCC`` and ``TORCH_CUDA_ARCH_LIST`` from the environment. ``provision`` installs the compiler into
the cache when it is not there, lays out ``CUDA_HOME`` and prints its path. Errors exit with status 1 and
one line on stderr.
"""
import argparse
import importlib.metadata
import os
import sys
import sysconfig
from pathlib import Path
from typing import List, Optional

from .build_plan import BuildPlanError, find_cuda_home, nvcc_release, plan_build
from .cuda_toolkit import ToolkitError, assemble_cuda_home, provision_toolkit, toolkit_requirements, torch_cuda_root


def _cuda_toolkit_requires() -> Optional[List[str]]:
    try:
        return importlib.metadata.requires('cuda-toolkit')
    except importlib.metadata.PackageNotFoundError:
        return None


def _plan(args: argparse.Namespace) -> None:
    cuda_home = find_cuda_home(os.environ)
    plan = plan_build(args.torch_cuda, args.mmcv_cuda, args.gpu_seen == '1', cuda_home,
                      nvcc_release(cuda_home) if cuda_home else None, os.environ.get('MMCV_NVCC', 'auto'),
                      os.environ.get('TORCH_CUDA_ARCH_LIST'))
    print(f'[setup_env] mmcv kernels: {plan.flavour} ({plan.reason})', file=sys.stderr)
    sys.stdout.write(plan.shell_assignments())


def _provision(args: argparse.Namespace) -> None:
    requirements = toolkit_requirements(args.torch_cuda, _cuda_toolkit_requires())
    print(f"[setup_env] nvcc from the package index: {' '.join(requirements)}", file=sys.stderr)
    compiler = provision_toolkit(Path(args.cache), args.torch_cuda, requirements)
    torch_root = torch_cuda_root(Path(sysconfig.get_path('purelib')), args.torch_cuda)
    print(assemble_cuda_home(Path(args.cuda_home), compiler, torch_root))


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog='python -m mmcv_build', description=__doc__.split('::')[0])
    commands = parser.add_subparsers(dest='command', required=True)
    plan = commands.add_parser('plan', help='decide the flavour, the nvcc and the arch list')
    plan.add_argument('--torch-cuda', required=True, help="torch.version.cuda, or 'none'")
    plan.add_argument('--mmcv-cuda', default='auto', help="MMCV_CUDA: 'auto', '1' or '0'")
    plan.add_argument('--gpu-seen', choices=('0', '1'), required=True, help='whether torch sees a GPU')
    plan.set_defaults(run=_plan)
    provision = commands.add_parser('provision', help="install nvcc of torch's CUDA version, lay out CUDA_HOME")
    provision.add_argument('--cache', required=True, help='the cache folder ($GERSP_CACHE)')
    provision.add_argument('--torch-cuda', required=True, help='torch.version.cuda')
    provision.add_argument('--cuda-home', required=True, help='the CUDA_HOME folder to lay out')
    provision.set_defaults(run=_provision)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (BuildPlanError, ToolkitError) as err:
        print(f'[setup_env] {err}', file=sys.stderr)
        raise SystemExit(1) from err


if __name__ == '__main__':
    main()
