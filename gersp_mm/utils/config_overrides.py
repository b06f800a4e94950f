# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""``--cfg-options`` that take effect: an overridden config variable reaches the keys that use it.

What the host gets wrong: mmengine substitutes a config file's variables where they are used when it reads
the file (``data_root = 'data/DIOR/'`` ... ``dataset=dict(data_root=data_root)``), so a later
``--cfg-options data_root=/data/DIOR/`` sets the variable, shows it in the config dump, and changes nothing:
the run reads the old folder and ends with exit status 0. :func:`merge_cfg_options` merges the overrides,
then gives an overridden string variable's new value to every key that held its old value (the variable's
uses, e.g. ``train_dataloader.dataset.data_root`` and ``val_dataloader.dataset.data_root``), except keys
the same overrides set themselves, and reports each key so set. An override that cannot take effect is
refused with an error naming it and the keys to set instead:

- a variable whose uses cannot be told by value (a number, an empty string, a dict or list: ``rs_file_list``,
  ``view_cfg.output_size``, ``train_pipeline``);
- a variable that no key uses;
- a key that is neither in the config nor read by the runner (``optim_wraper.optimizer.lr``).

The same substitution makes a config that inherits ours and redefines a variable (``rs_data_root = '/data/'``)
leave the keys its base built from the variable at the base's value: :func:`check_redefined_variables`
refuses such a config, naming the keys to set.
"""
import difflib
import os.path as osp
from typing import Any, Dict, Iterator, List, Tuple

from mmengine.config import Config

from ..engine.config_checks import ConfigCheckError, runner_keys


class ConfigOverrideError(ConfigCheckError):
    """An override or a redefined variable that would change nothing; the message names it and what to set."""


def _nodes(node: Any, prefix: str = '') -> Iterator[Tuple[str, Any]]:
    """Every ``(dotted key, value)`` under ``node`` (dicts and lists, indices as keys, as ``--cfg-options``)."""
    items = node.items() if isinstance(node, (dict, Config)) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        path = f'{prefix}{key}'
        yield path, value
        yield from _nodes(value, f'{path}.')


def _set(cfg: Config, path: str, value: Any) -> None:
    *parents, last = path.split('.')
    node = cfg
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[int(last) if isinstance(node, list) else last] = value


def _set_by(path: str, cfg_options: Dict[str, Any]) -> bool:
    """Whether an override names ``path`` or a key above it."""
    return any(path == key or path.startswith(f'{key}.') for key in cfg_options)


def _uses(cfg: Config, name: str) -> List[str]:
    """The keys (other than ``name``) whose value equals that of top-level variable ``name``."""
    value = cfg[name]
    return [path for path, node in _nodes(cfg) if path != name and type(node) is type(value) and node == value]


_MISSING = object()


def _get(cfg: Config, path: str) -> Any:
    node = cfg
    for key in path.split('.'):
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        elif isinstance(node, (dict, Config)) and key in node:
            node = node[key]
        else:
            return _MISSING
    return node


def check_redefined_variables(cfg: Config, filename: str) -> None:
    """Refuse a config that redefines a string variable of a base while keys built from it keep the base's value.

    Args:
        cfg (Config): The config parsed from ``filename``.
        filename (str): Its file (its ``_base_`` files are parsed again, each on its own).

    Raises:
        ConfigOverrideError: e.g. ``my_gersp.py sets rs_data_root = '/data/aerial/', but
            train_dataloader.dataset.rs.data_root still holds the value of its base ('data/MillionAID/test/')
            ...``.
    """
    known = runner_keys()
    for base in Config._get_base_files(filename):  # mmengine's own resolution of `_base_` (0.10)
        base_cfg = Config.fromfile(Config._get_cfg_path(base, filename)[0])
        for name in base_cfg.keys():
            old = base_cfg[name]
            if name in known or not isinstance(old, str) or not old or cfg.get(name, old) == old:
                continue
            stale = [path for path in _uses(base_cfg, name)  # keys the runner reads, not other variables
                     if path.split('.', 1)[0] in known and _get(cfg, path) == old]
            if stale:
                raise ConfigOverrideError(
                    f'{filename} sets {name} = {cfg[name]!r}, but {", ".join(stale)} still '
                    f'{"holds" if len(stale) == 1 else "hold"} the value of its base ({old!r}): mmengine substitutes '
                    f'a variable where its base file uses it; set {"that key" if len(stale) == 1 else "those keys"} '
                    f'in {osp.basename(filename)} too')


def merge_cfg_options(cfg: Config, cfg_options: Dict[str, Any], source: str) -> List[str]:
    """Merge ``--cfg-options`` into ``cfg``, carrying each overridden string variable to its uses.

    Args:
        cfg (Config): The config as parsed from its file; edited in place.
        cfg_options (dict): ``{'a.b': value}`` as mmengine's ``DictAction`` parses ``--cfg-options``.
        source (str): The config file (named in errors).

    Returns:
        list[str]: One line per variable carried to its uses, e.g. ``data_root=/data/DIOR/ also set
        train_dataloader.dataset.data_root, val_dataloader.dataset.data_root``.

    Raises:
        ConfigOverrideError: For an override that would change nothing (see the module docstring).
    """
    known = runner_keys()
    carried: Dict[str, Tuple[Any, List[str]]] = {}
    for key, value in cfg_options.items():
        name = key.split('.', 1)[0]
        if name in known:
            continue
        if name not in cfg:
            close = difflib.get_close_matches(name, sorted(known | set(cfg.keys())), n=1, cutoff=0.8)
            hint = f' (did you mean {close[0]}?)' if close else ''
            raise ConfigOverrideError(
                f'--cfg-options {key}: {name} is neither a key of {source} nor one the runner reads, so setting '
                f'it changes nothing{hint}')
        if value == cfg[name] and name == key:
            continue
        all_uses = _uses(cfg, name)
        uses = [path for path in all_uses if not _set_by(path, cfg_options)]  # the overrides' own keys win
        if not all_uses:
            used = [other for other in cfg.keys() if other not in known and isinstance(cfg[other], str)
                    and cfg[other] and _uses(cfg, other)]
            close = difflib.get_close_matches(name, used, n=1, cutoff=0.5)
            hint = f' (did you mean {close[0]}?)' if close else ''
            raise ConfigOverrideError(
                f'--cfg-options {key}: {name} is a variable of {source} that no key of the config uses, so '
                f'setting it changes nothing{hint}')
        if name != key or not isinstance(cfg[name], str) or not cfg[name] or not isinstance(value, str):
            if uses:
                raise ConfigOverrideError(
                    f'--cfg-options {key}: {name} is a variable of {source}, already substituted where it is used '
                    f'when the file was read, so setting it changes nothing; set the keys that hold its value '
                    f'instead: {", ".join(uses)}')
            continue
        carried[name] = value, uses
    cfg.merge_from_dict(cfg_options)
    for value, uses in carried.values():
        for path in uses:
            _set(cfg, path, value)
    return [f'{name}={value} also set {", ".join(uses)}' for name, (value, uses) in carried.items() if uses]
