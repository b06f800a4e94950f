# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The ``gersp_mm`` registry scope, so that configs inheriting ``gersp_mm::`` bases build.

gersp_mm owns no registries: its modules register into mmpretrain's, mmdet's and mmseg's, and its configs
name the host with ``default_scope``. But mmengine tags every typed dict that comes from a ``pkg::`` base
with ``_scope_='pkg'``, and builds it inside the registry of that scope, looked up as ``pkg.registry``.
Without one, a user config with ``_base_ = 'gersp_mm::pretrain/gersp_r50.py'`` falls back to mmengine's
root registries and fails with "GeRSP is not in the mmengine::model registry".

This module gives every mmengine root registry a ``gersp_mm`` child that resolves an unscoped type in the
registry of the enclosing default scope: the config's ``default_scope`` (mmpretrain, mmdet or mmseg), or the
scope of the dict being built around it. mmengine imports it by itself (``import_module('gersp_mm.registry')``)
the first time it meets the scope.

A child owns only gersp_mm's replacements of a host type (:data:`OVERRIDES`): a dict with
``_scope_='gersp_mm'`` and that type gets the replacement; every other dict is built as before.
"""
import logging
from importlib import import_module
from typing import Any, Dict, Optional

from mmengine.logging import print_log
from mmengine.registry import DefaultScope, Registry
from mmengine.registry import root as mmengine_root

SCOPE = 'gersp_mm'

#: Registry name -> the module registering gersp_mm's replacements of host types there (imported on first use):
#: ``Pretrained`` weight init that refuses a checkpoint which does not fit (:mod:`gersp_mm.export.pretrained_init`).
OVERRIDES = {'WEIGHT_INITIALIZERS': 'gersp_mm.export.pretrained_init'}


def enclosing_default_scope() -> Optional[str]:
    """The newest default scope other than ``gersp_mm``, or None when no other scope is set.

    While mmengine builds a dict tagged ``_scope_='gersp_mm'`` it pushes a temporary ``gersp_mm`` default
    scope on top of the current ones; the scope below it is the one the config asked for.
    """
    for instance in reversed(list(DefaultScope._instance_dict.values())):
        if instance.scope_name != SCOPE:
            return instance.scope_name
    return None


class EnclosingScopeRegistry(Registry):
    """A registry that owns only :data:`OVERRIDES`: an unscoped (or ``gersp_mm.``-scoped) key is one of them,
    else looked up in the registry of :func:`enclosing_default_scope`; other scoped keys resolve as in any
    registry."""

    def get(self, key: str) -> Any:
        scope, real_key = self.split_scope_key(key)
        if scope in (None, SCOPE):
            self.import_from_location()
            if real_key in self._module_dict:
                return self._module_dict[real_key]
            host = self._host_registry()
            if host is not None:
                return host.get(real_key)
            print_log(f'{real_key!r} is looked up in the {SCOPE} registry scope, which resolves types in the '
                      "host library of the config's default_scope, but no other default scope is set: "
                      "use default_scope='mmpretrain', 'mmdet' or 'mmseg' (as gersp_mm's configs do).",
                      logger='current', level=logging.WARNING)
            return super().get(real_key)
        return super().get(key)

    def import_from_location(self) -> None:
        """Import the module of this registry's overrides, if any (the host registry imports its own). Without
        this, mmengine would fall back to calling ``gersp_mm.utils.register_all_modules``, which gersp_mm, owning
        no registries, does not define."""
        if not self._imported:
            for location in self._locations:
                import_module(location)
            self._imported = True

    def _host_registry(self) -> Optional[Registry]:
        scope = enclosing_default_scope()
        if scope is None:
            return None
        root = self._get_root_registry()
        if scope != root.scope:
            try:
                import_module(f'{scope}.registry')  # puts the host's registries into the tree
            except ImportError:
                return None
        return root._search_child(scope)


def _add_scope_registries() -> Dict[str, EnclosingScopeRegistry]:
    registries = {}
    for name, registry in vars(mmengine_root).items():
        if isinstance(registry, Registry) and registry.parent is None:
            child = registry._children.get(SCOPE)
            if child is None:
                locations = [OVERRIDES[name]] if name in OVERRIDES else []
                child = EnclosingScopeRegistry(registry.name, parent=registry, scope=SCOPE, locations=locations)
            registries[name] = child
    return registries


#: ``{name in mmengine.registry: its gersp_mm child}``, e.g. ``SCOPE_REGISTRIES['MODELS']``.
SCOPE_REGISTRIES = _add_scope_registries()
