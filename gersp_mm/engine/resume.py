# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Choosing the checkpoint to resume from, so that a damaged file costs only the work since the one before.

What the host gets wrong: mmengine's ``--resume`` (auto) takes whatever ``last_checkpoint`` names, with no
check: a truncated file gives ``PytorchStreamReader failed ...`` with no file named, an empty
``last_checkpoint`` gives ``FileNotFoundError:  can not be found.``, and a work dir without checkpoints
silently trains from scratch ("Auto resumed from the latest checkpoint None").
"""
import logging
import os
import os.path as osp
import re
from typing import List, Optional

from mmengine.logging import print_log

from ..fileio import CheckpointLoadError, load_checkpoint_file
from .non_finite import count_tensors, find_non_finite, summarize_non_finite

#: File names of the checkpoints mmengine's CheckpointHook writes (``epoch_{}.pth``, ``iter_{}.pth``).
CHECKPOINT_NAME = re.compile(r'^(epoch|iter)_(\d+)\.pth$')


class NoIntactCheckpointError(RuntimeError):
    """``--resume`` found checkpoints, but none of them can be resumed (the message lists why)."""


class ResumeCheckpointError(ValueError):
    """The checkpoint given to ``--resume`` cannot be resumed (the message names it and why)."""


def checkpoint_problem(path: str) -> Optional[str]:
    """Why ``path`` cannot be resumed from, or None when it is an intact training checkpoint.

    Loads the file (see :func:`gersp_mm.fileio.load_checkpoint_file`) and checks that it has ``meta`` and
    ``state_dict`` and that its parameters, buffers and optimizer state are finite.
    """
    try:
        checkpoint = load_checkpoint_file(path, map_location='cpu')
    except CheckpointLoadError as err:
        return str(err)
    if not isinstance(checkpoint, dict) or 'meta' not in checkpoint or 'state_dict' not in checkpoint:
        return f'{path} is not a training checkpoint (it has no meta / state_dict to resume)'
    tensors = {key: checkpoint[key] for key in ('state_dict', 'optimizer') if key in checkpoint}
    found = find_non_finite(tensors)
    if found:
        return f'{path} is poisoned: {summarize_non_finite(found, total=count_tensors(tensors))}'
    return None


def _last_checkpoint_target(work_dir: str) -> Optional[str]:
    """The checkpoint that ``<work_dir>/last_checkpoint`` names (found in ``work_dir`` if it was moved)."""
    record = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(record):
        return None
    with open(record, encoding='utf-8', errors='replace') as file:
        target = file.read().strip()
    if not target:
        print_log(f'{record} is empty (an interrupted write): looking for checkpoints in {work_dir}',
                  logger='current', level=logging.WARNING)
        return None
    if not osp.exists(target) and osp.isfile(osp.join(work_dir, osp.basename(target))):
        return osp.join(work_dir, osp.basename(target))
    return target


def resume_candidates(work_dir: str) -> List[str]:
    """Checkpoints of ``work_dir`` to try, best first: the ``epoch_N.pth`` / ``iter_N.pth`` files and the one
    ``last_checkpoint`` names, newest (modification time) first, the named one first among equals.

    A file written after the one ``last_checkpoint`` names is complete (checkpoints are written atomically)
    and newer: a run killed between writing a checkpoint and updating ``last_checkpoint`` left it.
    A named file that does not exist comes first, so that the log says so.
    """
    target = _last_checkpoint_target(work_dir)
    found = {}
    if osp.isdir(work_dir):
        for name in os.listdir(work_dir):
            match = CHECKPOINT_NAME.match(name)
            path = osp.join(work_dir, name)
            if match and osp.isfile(path):
                found[osp.abspath(path)] = (osp.getmtime(path), False, int(match.group(2)), path)
    if target is not None:
        if osp.isfile(target):
            found[osp.abspath(target)] = (osp.getmtime(target), True, 0, target)
        else:
            found[osp.abspath(target)] = (float('inf'), True, 0, target)
    return [path for *_, path in sorted(found.values(), reverse=True)]


def find_resume_checkpoint(work_dir: str) -> Optional[str]:
    """The newest intact checkpoint of ``work_dir`` (logging every damaged one skipped), or None if none exists.

    Raises:
        NoIntactCheckpointError: There are checkpoints, but none is intact (each is listed with its problem).
    """
    problems = []
    for path in resume_candidates(work_dir):
        problem = checkpoint_problem(path)
        if problem is None:
            if problems:
                print_log(f'Resuming from {path}, the newest intact checkpoint, instead.', logger='current',
                          level=logging.WARNING)
            return path
        print_log(f'Cannot resume from {path}: {problem}', logger='current', level=logging.WARNING)
        problems.append(problem)
    if problems:
        raise NoIntactCheckpointError(f'--resume: no checkpoint in {work_dir} can be resumed:\n  - '
                                      + '\n  - '.join(problems))
    return None


def check_resume_checkpoint(path: str) -> None:
    """Check a checkpoint given explicitly to ``--resume``.

    Raises:
        ResumeCheckpointError: The file is missing, empty, truncated, not a checkpoint or poisoned; the
            message names it (and the newest intact checkpoint next to it, if any).
    """
    problem = checkpoint_problem(path)
    if problem is None:
        return
    message = f'--resume {path}: {problem}'
    folder = osp.dirname(osp.abspath(path))
    for candidate in resume_candidates(folder):
        if osp.abspath(candidate) != osp.abspath(path) and checkpoint_problem(candidate) is None:
            message += f' (the newest intact checkpoint in {folder} is {candidate})'
            break
    raise ResumeCheckpointError(message)
