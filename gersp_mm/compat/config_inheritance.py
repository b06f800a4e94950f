# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""``gersp_mm::`` config inheritance.

mmengine resolves ``package::path`` bases only for the OpenMMLab packages it lists in
``mmengine.config.utils.MODULE2PACKAGE``. :func:`install_compat` adds ``gersp_mm`` (its configs are exported to
``gersp_mm/.mim/configs`` by setup.py), so ``_base_ = 'gersp_mm::pretrain/gersp_r50.py'`` works in any process
that imported ``gersp_mm`` before parsing the config, e.g. ``tools/train.py``. The dicts of such a base are
built in the ``gersp_mm`` registry scope: see :mod:`gersp_mm.registry`.
"""


def install_config_inheritance() -> None:
    """Let mmengine resolve ``gersp_mm::`` config bases."""
    from mmengine.config.utils import MODULE2PACKAGE

    # A module, not the distribution name: mmengine then finds the package folder by import spec, which
    # is right for editable installs too (the distribution's location is site-packages for those).
    MODULE2PACKAGE.setdefault('gersp_mm', 'gersp_mm.version')
