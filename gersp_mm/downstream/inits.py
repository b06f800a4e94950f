# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Backbone inits: what a downstream run starts from, by its label and the config variant it runs with.

An init has a **label**, its name in the work dirs, the tables and the results files, and a **variant**, the
config of each task it runs with (:data:`~gersp_mm.downstream.tasks.VARIANTS`): a checkpoint (``gersp``
variant, the checkpoint given with ``--cfg-options model.backbone.init_cfg.checkpoint=PATH``) has a label of
its own (``gersp``, ``moco``, ...); the two inits that are not checkpoints are named (:data:`NAMED_INITS`):
``imagenet`` runs the ``in1k`` variant (torchvision's ImageNet weights), ``random`` the ``random`` one. The
demo's inits are inits of this kind too (:mod:`gersp_mm.demo.plan`).
"""
import os.path as osp
import re
from dataclasses import dataclass
from typing import Optional

#: The labels of the inits that are not checkpoints -> their config variant; also their order in the tables,
#: after the checkpoints.
NAMED_INITS = {'imagenet': 'in1k', 'random': 'random'}
_LABEL = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._+-]*$')


@dataclass(frozen=True)
class Init:
    """A backbone initialisation.

    Attributes:
        label (str): Its name in the work dirs and the tables.
        variant (str): The config variant it runs with: ``'gersp'`` (a checkpoint), ``'in1k'`` or ``'random'``.
        checkpoint (str, optional): The checkpoint of a ``'gersp'`` init: a file or a URL.
    """

    label: str
    variant: str
    checkpoint: Optional[str] = None


def parse_init(spec: str) -> Init:
    """Parse an init given on the command line.

    Args:
        spec (str): ``imagenet``, ``random``, a checkpoint ``PATH`` (labelled with its file name without
            extension) or ``LABEL=PATH``.

    Returns:
        Init: The init.

    Raises:
        ValueError: If the label is not a plain name (letters, digits, ``._+-``) or is ``imagenet`` or
            ``random`` for a checkpoint.
    """
    if spec in NAMED_INITS:
        return Init(spec, NAMED_INITS[spec])
    label, sep, path = spec.partition('=')
    if not (sep and _LABEL.match(label)):
        label, path = osp.splitext(osp.basename(spec.rstrip('/')))[0], spec
    if not _LABEL.match(label):
        raise ValueError(f'init label {label!r} (from {spec!r}) must be letters, digits and ._+- '
                         '(give one with LABEL=PATH)')
    if label in NAMED_INITS:
        raise ValueError(f'the label {label!r} is reserved for the {label} init; give the checkpoint {path!r} '
                         'another one with LABEL=PATH')
    return Init(label, 'gersp', path)
