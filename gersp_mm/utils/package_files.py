# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Where the files the package ships beside its code are: ``configs/`` and ``tools/``.

In a checkout they are folders of the repository; an installed package holds copies of them in
``gersp_mm/.mim`` (written by setup.py, as OpenMMLab packages do). The downstream suite and the demo find their
configs and the tools they run through :func:`config_root`.
"""
import os.path as osp


def config_root() -> str:
    """The folder holding ``configs/`` (and ``tools/``): the repository, or ``gersp_mm/.mim`` in an installed
    package.

    Raises:
        FileNotFoundError: If neither holds a ``configs/`` folder.
    """
    package = osp.dirname(osp.dirname(osp.abspath(__file__)))
    for root in (osp.dirname(package), osp.join(package, '.mim')):
        if osp.isdir(osp.join(root, 'configs')):
            return root
    raise FileNotFoundError(f'no configs/ folder next to {package} nor in {osp.join(package, ".mim")}')


def tool_path(*parts: str) -> str:
    """A tool of the repository, e.g. ``tool_path('model_converters', 'extract_backbone.py')`` for
    ``tools/model_converters/extract_backbone.py`` (in the checkout or in an installed package's ``.mim``)."""
    return osp.join(config_root(), 'tools', *parts)
