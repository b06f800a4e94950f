# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Start-time checks of a config, each error naming the config key: mistakes stop the run before it trains.

What the host gets wrong (mmengine 0.10.7):

- ``train_dataloader.batch_size='32'`` (a string, e.g. from a YAML file or a mistyped override) reaches
  torch's ``BatchSampler``, which reports "batch_size should be a positive integer value, but got
  batch_size=32": the string is shown as a number; ``lr='0.01'`` or ``model.alpha='1.0'`` fail inside torch
  with type errors that name no key;
- a misspelt argument of ``CheckpointHook`` (``max_keep_ckpt=1``) or a string ``interval='1'`` is accepted,
  and the run fails at its first checkpoint, an epoch later, without writing it;
- a misspelt runner key (``optim_wraper``) is ignored: the run trains with the defaults;
- nothing compares ``train_dataloader.sampler.batch_size`` (which sets the epoch length of
  :class:`~gersp_mm.pretrain.samplers.DualSourceSampler`) with the loader's batch size, nor a head's
  ``num_classes`` with the classes of the training data (see :func:`check_head_classes`);
- ``env_cfg.dist_cfg.timeout`` is seconds for mmengine's ``init_dist`` but reaches ``init_process_group``
  unconverted on the CPU path (:func:`dist_timeout` converts it).

:func:`check_config` runs the static checks (``CrashSafeRunner.from_cfg`` calls it); every error is a
:class:`ConfigCheckError` whose message is one sentence naming the key.
"""
import datetime
import difflib
import inspect
import logging
import numbers
import typing
from typing import Any, Iterator, Optional, Set, Tuple

from mmengine.hooks import CheckpointHook
from mmengine.logging import MMLogger
from mmengine.registry import HOOKS, MODELS, OPTIM_WRAPPERS, OPTIMIZERS, PARAM_SCHEDULERS
from mmengine.runner import Runner


class ConfigCheckError(ValueError):
    """A config value that would fail later or change nothing; the message names the key."""


class ConfigTypeError(ConfigCheckError, TypeError):
    """A config value of the wrong type (a string where a number is expected)."""


#: Top-level keys read by the runner and the tools besides the arguments of ``Runner.__init__``.
EXTRA_RUNNER_KEYS = frozenset({'custom_imports', 'runner_type', 'model_wrapper_cfg', 'find_unused_parameters',
                               'compile', 'tta_model', 'tta_pipeline'})


def runner_keys() -> Set[str]:
    """The top-level config keys that ``Runner.from_cfg`` and the tools read."""
    return set(inspect.signature(Runner.__init__).parameters) - {'self', 'cfg'} | EXTRA_RUNNER_KEYS


#: ``{field: minimum}`` of the integer fields of a data loader config.
_INT_FIELDS = {'batch_size': 1, 'num_workers': 0, 'prefetch_factor': 1}
#: The True/False fields of a data loader config.
_BOOL_FIELDS = ('shuffle', 'drop_last', 'pin_memory', 'persistent_workers')
DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
#: Samplers that check their own arguments when built (by type name, as configs give it).
SELF_CHECKING_SAMPLERS = frozenset({'DualSourceSampler', 'gersp_mm.DualSourceSampler'})


def check_value(key: str, value: Any, kind: type, minimum: Optional[int] = None) -> None:
    """Refuse a config value that is not a ``kind`` (``int`` or ``bool``) or is below ``minimum``.

    Args:
        key (str): The value's config key, named in the error, e.g. ``train_dataloader.batch_size``.
        value: The value.
        kind (type): ``int`` (a bool is refused) or ``bool``.
        minimum (int, optional): The smallest allowed int.

    Raises:
        ConfigTypeError: e.g. ``train_dataloader.batch_size must be an int, got '32' (str) (write batch_size=32)``.
        ConfigCheckError: e.g. ``train_dataloader.num_workers must be >= 0, got -1``.
    """
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        hint = f' (write {key.rsplit(".", 1)[-1]}={value.strip()})' if isinstance(value, str) and \
            value.strip().isdigit() else ''
        raise ConfigTypeError(f'{key} must be an int, got {value!r} ({type(value).__name__}){hint}')
    if kind is bool and not isinstance(value, bool):
        raise ConfigTypeError(f'{key} must be True or False, got {value!r} ({type(value).__name__})')
    if minimum is not None and value < minimum:
        raise ConfigCheckError(f'{key} must be >= {minimum}, got {value}')


def check_dataloader_cfgs(cfg) -> None:
    """Check the numbers and flags of ``train/val/test_dataloader`` in a config.

    The ``seed`` and ``shuffle`` of a host sampler (mmengine's ``DefaultSampler``, ``InfiniteSampler``, which
    take ``shuffle='False'`` as true) are checked here; :class:`~gersp_mm.pretrain.samplers.DualSourceSampler`
    checks its own arguments with :func:`check_value`, naming the same keys, whether built from a config or in
    Python, and is skipped here.

    Args:
        cfg (dict | mmengine.Config): The run's config.

    Raises:
        ConfigCheckError: Naming the key, e.g. ``train_dataloader.batch_size must be an int, got '32'``
            (a :class:`ConfigTypeError`, also a ``TypeError``, for a wrong type).
    """
    for name in DATALOADERS:
        loader = cfg.get(name)
        if not isinstance(loader, dict):
            continue
        for field, minimum in _INT_FIELDS.items():
            if loader.get(field) is not None:
                check_value(f'{name}.{field}', loader[field], int, minimum)
        for field in _BOOL_FIELDS:
            if loader.get(field) is not None:
                check_value(f'{name}.{field}', loader[field], bool)
        sampler = loader.get('sampler')
        if isinstance(sampler, dict) and sampler.get('type') not in SELF_CHECKING_SAMPLERS:
            for field, kind in (('shuffle', bool), ('seed', int)):
                if sampler.get(field) is not None:
                    check_value(f'{name}.sampler.{field}', sampler[field], kind)


def _is_number_string(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def _takes_number(parameter: inspect.Parameter) -> bool:
    """Whether a parameter takes a number: a numeric default or an ``int``/``float`` annotation without ``str``."""
    default = parameter.default
    if isinstance(default, numbers.Number) and not isinstance(default, bool):
        return True
    kinds = typing.get_args(parameter.annotation) or (parameter.annotation, )
    return any(kind in (int, float) for kind in kinds) and str not in kinds


def _parameters(cls: type) -> Tuple[dict, bool]:
    """The keyword arguments of ``cls(...)``, following ``**kwargs`` up the base classes, and whether more are
    taken. ``CheckpointHook``'s ``**kwargs`` go to ``Runner.save_checkpoint``, which takes none."""
    parameters = {}
    for klass in cls.__mro__:
        if '__init__' not in vars(klass) or klass is object:
            continue
        try:
            signature = inspect.signature(klass.__init__)
        except (TypeError, ValueError):
            return parameters, True
        for name, parameter in signature.parameters.items():
            if name != 'self' and parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                parameters.setdefault(name, parameter)
        takes_more = any(parameter.kind is parameter.VAR_KEYWORD for parameter in signature.parameters.values())
        if not takes_more or klass is CheckpointHook:
            return parameters, False
    return parameters, True


def _resolve(registry, cfg: dict, scope: Optional[str]) -> Optional[type]:
    """The class a ``dict(type=...)`` builds in ``registry``, or None when it cannot be told."""
    kind = cfg.get('type')
    if inspect.isclass(kind):
        return kind
    if not isinstance(kind, str):
        return None
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.ERROR)  # the registries' warnings about scopes: the build reports them, once
    try:
        with registry.switch_scope_and_registry(cfg.get('_scope_', scope)) as scoped:
            return scoped.get(kind)
    except (ImportError, KeyError, TypeError):  # an unknown scope or a failed lazy import: the build reports it
        return None
    finally:
        logger.setLevel(level)


def _check_arguments(key: str, cfg: dict, cls: type, closed: bool) -> None:
    """String numbers in the arguments of ``cls`` and, for ``closed`` classes, unknown arguments."""
    parameters, takes_more = _parameters(cls)
    for name, value in cfg.items():
        if name in ('type', '_scope_'):
            continue
        parameter = parameters.get(name)
        if parameter is None:
            if closed and not takes_more:
                close = difflib.get_close_matches(name, list(parameters), n=1, cutoff=0.6)
                hint = f' (did you mean {close[0]}?)' if close else ''
                raise ConfigCheckError(f'{key}.{name} is not an argument of {cls.__name__}{hint}')
        elif _is_number_string(value) and _takes_number(parameter):
            raise ConfigTypeError(f'{key}.{name} must be a number, got {value!r} (str) (write {name}={value.strip()})')


def _typed_cfgs(cfg) -> Iterator[Tuple[str, dict, Any]]:
    """``(key, dict, registry)`` of the typed dicts of the model, optimizer, schedulers and hooks."""
    def walk(key: str, node: Any, registry) -> Iterator[Tuple[str, dict, Any]]:
        if isinstance(node, dict):
            if 'type' in node:
                yield key, node, registry
            for name, value in node.items():
                if registry is MODELS and name != 'init_cfg':  # backbone, neck, heads, losses, preprocessor
                    yield from walk(f'{key}.{name}', value, MODELS)
        elif isinstance(node, (list, tuple)) and registry is not MODELS:
            for index, value in enumerate(node):
                yield from walk(f'{key}.{index}', value, registry)

    yield from walk('model', cfg.get('model'), MODELS)
    optim_wrapper = cfg.get('optim_wrapper')
    if isinstance(optim_wrapper, dict):
        yield from walk('optim_wrapper', dict(optim_wrapper, type=optim_wrapper.get('type', 'OptimWrapper')),
                        OPTIM_WRAPPERS)
        yield from walk('optim_wrapper.optimizer', optim_wrapper.get('optimizer'), OPTIMIZERS)
    yield from walk('param_scheduler', cfg.get('param_scheduler'), PARAM_SCHEDULERS)
    for name, hook in (cfg.get('default_hooks') or {}).items():
        yield from walk(f'default_hooks.{name}', hook, HOOKS)
    yield from walk('custom_hooks', cfg.get('custom_hooks'), HOOKS)


def check_arguments(cfg) -> None:
    """String numbers in the arguments of the model, optimizer, schedulers and hooks; unknown arguments of
    this package's hooks and of mmengine's ``CheckpointHook`` (whose extra arguments fail at the first save).

    Raises:
        ConfigCheckError: e.g. ``default_hooks.checkpoint.max_keep_ckpt is not an argument of
            AtomicCheckpointHook (did you mean max_keep_ckpts?)`` or ``optim_wrapper.optimizer.lr must be a
            number, got '0.01' (str) (write lr=0.01)``.
    """
    scope = cfg.get('default_scope')
    for key, node, registry in _typed_cfgs(cfg):
        if key == 'optim_wrapper':
            node = {name: value for name, value in node.items() if name != 'optimizer'}
        cls = _resolve(registry, node, scope)
        if cls is not None:
            closed = registry is HOOKS and (cls.__module__.startswith('gersp_mm.') or issubclass(cls, CheckpointHook))
            _check_arguments(key, node, cls, closed)


def check_top_level_keys(cfg) -> None:
    """Refuse a top-level key that is a misspelling of one the runner reads (``optim_wraper``).

    Other unknown keys are the config's own variables (``data_root``, ``train_pipeline``), which are legitimate.

    Raises:
        ConfigCheckError: ``optim_wraper is not a key the runner reads (did you mean optim_wrapper?) ...``.
    """
    known = runner_keys()
    for key in cfg.keys():
        close = [] if key in known else difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.9)
        if close:
            raise ConfigCheckError(f'{key} is not a key the runner reads (did you mean {close[0]}?), so the run '
                                   'would ignore it')


def check_batch_sizes(cfg) -> None:
    """Refuse a sampler batch size (the epoch length's unit of ``DualSourceSampler``) unlike the loader's."""
    for name in DATALOADERS:
        loader = cfg.get(name)
        sampler = loader.get('sampler') if isinstance(loader, dict) else None
        if not isinstance(sampler, dict) or sampler.get('batch_size') is None or loader.get('batch_size') is None:
            continue
        if sampler['batch_size'] != loader['batch_size']:
            raise ConfigCheckError(
                f'{name}.sampler.batch_size={sampler["batch_size"]!r} differs from {name}.batch_size='
                f'{loader["batch_size"]!r}: the sampler would count its epoch in batches the loader does not make; '
                'set both to the same number')


def check_train_cfg(cfg) -> None:
    """The iteration and epoch numbers of ``train_cfg`` are ints >= 1."""
    train_cfg = cfg.get('train_cfg')
    if isinstance(train_cfg, dict):
        for field in ('max_epochs', 'max_iters', 'val_interval', 'val_begin'):
            if train_cfg.get(field) is not None:
                check_value(f'train_cfg.{field}', train_cfg[field], int, 1)


def dist_timeout(cfg) -> Optional[datetime.timedelta]:
    """``env_cfg.dist_cfg.timeout`` (seconds, as mmengine's ``init_dist`` takes it) as a ``timedelta``.

    Returns:
        datetime.timedelta | None: None when the config sets no timeout (torch's default, 30 min, applies).

    Raises:
        ConfigCheckError: When the timeout is not a positive number of seconds.
    """
    env_cfg = cfg.get('env_cfg') or {}
    timeout = (env_cfg.get('dist_cfg') or {}).get('timeout')
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ConfigCheckError(f'env_cfg.dist_cfg.timeout must be a positive number of seconds (e.g. 1800), got '
                               f'{timeout!r} ({type(timeout).__name__})')
    return datetime.timedelta(seconds=timeout)


def check_config(cfg) -> None:
    """All static checks of a run's config (before anything is built).

    Raises:
        ConfigCheckError: The first problem found, in one sentence naming the key.
    """
    check_top_level_keys(cfg)
    check_dataloader_cfgs(cfg)
    check_batch_sizes(cfg)
    check_train_cfg(cfg)
    check_arguments(cfg)
    dist_timeout(cfg)


#: Where the host libraries' models keep the number of classes of a head, under ``model``.
HEAD_CLASS_KEYS = ('cls_head', 'head', 'bbox_head', 'roi_head.bbox_head', 'decode_head', 'auxiliary_head')


def check_head_classes(model_cfg: dict, dataset) -> None:
    """Refuse a head whose ``num_classes`` differs from the number of classes of the training data.

    Args:
        model_cfg (dict): The ``model`` config.
        dataset: The built training dataset (its ``metainfo['classes']``; nothing is checked without).

    Raises:
        ConfigCheckError: e.g. ``model.cls_head.num_classes=1000 but the training data have 2 classes ...``.
    """
    classes = (getattr(dataset, 'metainfo', None) or {}).get('classes')
    if not classes:
        return
    for key in HEAD_CLASS_KEYS:
        head = model_cfg
        for part in key.split('.'):
            head = head.get(part) if isinstance(head, dict) else None
        heads = head if isinstance(head, list) else [head]
        for index, head in enumerate(heads):
            num_classes = head.get('num_classes') if isinstance(head, dict) else None
            if isinstance(num_classes, int) and num_classes != len(classes):
                name = f'model.{key}' + (f'.{index}' if len(heads) > 1 else '')
                raise ConfigCheckError(
                    f'{name}.num_classes={num_classes} but the training data have {len(classes)} classes '
                    f'({", ".join(map(str, classes[:3]))}{", ..." if len(classes) > 3 else ""}); set '
                    f'{name}.num_classes={len(classes)}')
