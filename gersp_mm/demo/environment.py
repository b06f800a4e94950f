# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""What a demo's numbers were measured with: the code's commit, the CPU, the threads and the date.

The demo's numbers change with the code, and on CPU a rerun of the same seed is not bit-identical (its
time, several-fold under load): the results block records these next to the numbers, so that two results
can be compared only where they were measured alike.
"""
import datetime
import os
import platform
import subprocess
from typing import Dict

import torch


def git_commit(repo_root: str) -> str:
    """The commit checked out in ``repo_root`` (12 hex digits), ``'+ uncommitted changes'`` appended when tracked
    files differ from it; ``'not a git checkout'`` for an installed package (or without git)."""
    def git(*args: str) -> str:
        return subprocess.run(['git', '-C', repo_root, *args], capture_output=True, text=True, check=True,
                              timeout=60).stdout.strip()

    try:
        if os.path.realpath(git('rev-parse', '--show-toplevel')) != os.path.realpath(repo_root):
            return 'not a git checkout'  # e.g. an installed package inside another project's repository
        commit = git('rev-parse', '--short=12', 'HEAD')
        changed = git('status', '--porcelain', '--untracked-files=no')
    except (OSError, subprocess.SubprocessError):
        return 'not a git checkout'
    return f'{commit} + uncommitted changes' if changed else commit


def cpu_model() -> str:
    """The CPU's model name (Linux ``/proc/cpuinfo``), else what :mod:`platform` knows."""
    try:
        with open('/proc/cpuinfo', encoding='utf-8', errors='replace') as cpuinfo:
            for line in cpuinfo:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run_environment(repo_root: str) -> Dict[str, object]:
    """The facts recorded with the demo's numbers (also in ``results.json``).

    Returns:
        dict: ``commit``, ``cpu`` (model), ``cpu_cores`` (visible to this process), ``torch_threads``
        (intra-op threads of this process) and ``date`` (UTC, ISO 8601, to the minute).
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    return dict(commit=git_commit(repo_root), cpu=cpu_model(), cpu_cores=cores, torch_threads=torch.get_num_threads(),
                date=datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'))


def describe_environment(environment: Dict[str, object]) -> str:
    """One line: ``commit 0123abcd4567, Intel(R) Xeon(R) ..., 2 CPU cores, 2 torch threads, 2026-12-06 05:30 UTC``."""
    return (f'commit {environment["commit"]}, {environment["cpu"]}, {environment["cpu_cores"]} CPU cores, '
            f'{environment["torch_threads"]} torch threads, {environment["date"]}')
