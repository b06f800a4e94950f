# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""What ``tools/test.py`` adds to a detection, segmentation or classification config.

The options mean what they mean in the host library's own ``tools/test.py`` (mmdet 3.3, mmrotate 1.x,
mmseg 1.2, mmpretrain 1.2), so commands from those libraries' documentation work unchanged on this package's
configs; the host is the config's ``default_scope``.

``--out``
    mmdet: the predictions pickled into a ``.pkl`` file, in mmdet's offline format (``DumpDetResults``);
    mmrotate: the same file, written by mmengine's ``DumpResults`` as mmrotate's test.py does (rotated
    boxes stay ``RotatedBoxes``, whose unpickling needs mmrotate);
    mmseg: the prediction maps written as PNGs into a folder (``test_evaluator.output_dir``); mmpretrain:
    the predictions pickled into a file (mmengine's ``DumpResults``).
``--show-dir DIR``
    The painted predictions: mmdet and mmrotate: in ``WORK_DIR/<timestamp>/DIR`` (``DIR`` itself when
    absolute; mmrotate paints rotated boxes);
    mmseg: in ``DIR/vis_data/vis_image/`` (the visualizer's ``save_dir``, which holds the run's logged
    scalars too); mmpretrain: in ``DIR``.
``--show``, ``--wait-time``
    A window per painted image, open for the given seconds.
``--interval N``
    mmseg and mmpretrain: paint every N-th test batch (default 1; mmdet paints every image).
``--tta``
    mmdet and mmpretrain: horizontal-flip test-time augmentation unless the config has its own
    ``tta_model`` and ``tta_pipeline``; mmseg: the config's (mmseg's bases define multi-scale + flip);
    mmrotate: none (its test.py has no ``--tta``: mmdet's merge of augmented boxes is for horizontal boxes).
"""
from copy import deepcopy
from typing import Optional

from mmengine.config import Config, ConfigDict

HOSTS = ('mmdet', 'mmrotate', 'mmseg', 'mmpretrain')


def host_of(cfg: Config, config_path: str) -> str:
    """The host library that evaluates a config, checking that the config can be evaluated at all.

    Args:
        cfg (Config): The config.
        config_path (str): Its file, for the error messages.

    Returns:
        str: ``'mmdet'``, ``'mmrotate'``, ``'mmseg'`` or ``'mmpretrain'`` (the config's ``default_scope``).

    Raises:
        ValueError: If the config has no test loop (the pre-training configs: their backbones are evaluated
            through the downstream configs) or another default scope.
    """
    missing = [key for key in ('test_dataloader', 'test_cfg', 'test_evaluator') if cfg.get(key) is None]
    if missing:
        raise ValueError(f'{config_path} has no {", ".join(missing)}: only detection, segmentation and '
                         'classification configs can be tested (a pre-training checkpoint is evaluated by '
                         'fine-tuning a downstream config of configs/det, configs/seg or configs/cls)')
    scope = cfg.get('default_scope')
    if scope not in HOSTS:
        raise ValueError(f'{config_path}: default_scope {scope!r} is not one of {HOSTS}')
    return scope


def enable_visualization(cfg: Config, host: str, show: bool, show_dir: Optional[str], wait_time: float,
                         interval: int = 1) -> None:
    """Turn on the config's visualization hook for the test run, as the host's ``tools/test.py`` does.

    Args:
        cfg (Config): The config, edited in place.
        host (str): Its host library (:func:`host_of`).
        show (bool): Show each painted image in a window.
        show_dir (str, optional): Where the painted images go (see the module docstring per host).
        wait_time (float): Seconds each window stays open with ``show``.
        interval (int): Paint every ``interval``-th test batch (mmseg, mmpretrain; mmdet paints every
            image). mmpretrain's test.py defaults to 1; mmseg's keeps the hook's 50 of validation during
            training, so that a small test set may get no image at all: 1 here too. Defaults to 1.

    Raises:
        ValueError: If the config has no ``default_hooks.visualization``.
    """
    hook = cfg.get('default_hooks', {}).get('visualization')
    if hook is None:
        raise ValueError("--show/--show-dir need default_hooks.visualization in the config (the host's "
                         "default_runtime.py has it), e.g. visualization=dict(type='VisualizationHook')")
    if host == 'mmpretrain':
        hook.update(enable=True, show=show, wait_time=wait_time, out_dir=show_dir, interval=interval)
        return
    hook.draw = True
    if host == 'mmseg':
        hook.interval = interval
    if show:
        hook.update(show=True, wait_time=wait_time)
    if show_dir:
        if host in ('mmdet', 'mmrotate'):
            hook.test_out_dir = show_dir
        else:
            cfg.visualizer.save_dir = show_dir


def enable_tta(cfg: Config, host: str) -> None:
    """Wrap the model and the test pipeline for test-time augmentation, as the host's ``tools/test.py``.

    mmdet and mmpretrain default to horizontal-flip TTA when the config has no ``tta_model`` /
    ``tta_pipeline`` (for detection merged with the detector's own NMS settings and box cap); mmseg needs
    both in the config (mmseg's dataset and runtime bases define them).

    Args:
        cfg (Config): The config, edited in place.
        host (str): Its host library (:func:`host_of`).

    Raises:
        ValueError: For an mmseg config without ``tta_model`` or ``tta_pipeline``, an mmpretrain config
            whose visualization hook is on (it fails on augmented batches), or an mmrotate config.
    """
    if host == 'mmrotate':
        raise ValueError('--tta is not available for oriented-box (mmrotate) configs: mmrotate has no merge of '
                         'test-time augmented rotated boxes')
    if host == 'mmseg':
        missing = [key for key in ('tta_model', 'tta_pipeline') if key not in cfg]
        if missing:
            raise ValueError(f'--tta needs {" and ".join(missing)} in a segmentation config')
    if host == 'mmpretrain' and cfg.get('default_hooks', {}).get('visualization', {}).get('enable'):
        raise ValueError("mmpretrain's visualization hook cannot paint test-time augmented batches: use "
                         '--show/--show-dir without --tta')
    dataset = cfg.test_dataloader.dataset
    while 'dataset' in dataset:  # wrappers such as ConcatDataset / RepeatDataset
        dataset = dataset.dataset
    if 'tta_pipeline' not in cfg:
        pipeline = deepcopy(dataset.pipeline)
        pack = pipeline[-1]
        if host == 'mmdet' and 'meta_keys' in pack:
            # the merge of the flipped boxes needs the flip; the config's keys stay (e.g. the `instances`
            # that the COCO metric reads instead of a json, which mmdet's own default TTA pack drops)
            pack.meta_keys = tuple(dict.fromkeys([*pack.meta_keys, 'flip', 'flip_direction']))
        pipeline[-1] = dict(type='TestTimeAug', transforms=[
            [dict(type='RandomFlip', prob=1.), dict(type='RandomFlip', prob=0.)], [pack]])
        cfg.tta_pipeline = pipeline
    if 'tta_model' not in cfg and host == 'mmdet':
        # the detector's own NMS and box cap (the remote-sensing configs keep 600 boxes at IoU 0.3; mmdet's
        # test.py merges with its defaults, IoU 0.5 and 100 boxes)
        test_cfg = cfg.model.get('test_cfg', {})
        test_cfg = test_cfg.get('rcnn', test_cfg)
        cfg.tta_model = dict(type='DetTTAModel', tta_cfg=dict(
            nms=test_cfg.get('nms', dict(type='nms', iou_threshold=0.5)),
            max_per_img=test_cfg.get('max_per_img', 100)))
    elif 'tta_model' not in cfg:
        cfg.tta_model = dict(type='mmpretrain.AverageClsScoreTTA')
    cfg.model = ConfigDict(**cfg.tta_model, module=cfg.model)
    dataset.pipeline = cfg.tta_pipeline


def dump_predictions(cfg: Config, host: str, out: str) -> Optional[dict]:
    """Where ``--out`` sends the predictions.

    For mmseg the test evaluator writes the prediction maps as PNGs into the folder ``out`` (the config is
    edited); for mmdet, mmrotate and mmpretrain the returned metric config pickles them into the file
    ``out``, to be appended to the Runner's test evaluator (``runner.test_evaluator.metrics``).

    Args:
        cfg (Config): The config, edited in place for mmseg.
        host (str): Its host library (:func:`host_of`).
        out (str): The file (mmdet: ``.pkl`` or ``.pickle``) or folder (mmseg).

    Returns:
        dict | None: The dump metric to build for mmdet, mmrotate and mmpretrain, None for mmseg.

    Raises:
        ValueError: For an mmdet or mmrotate ``out`` that is not a pickle file name.
    """
    if host == 'mmseg':
        cfg.test_evaluator.update(output_dir=out, keep_results=True)
        return None
    if host in ('mmdet', 'mmrotate') and not out.endswith(('.pkl', '.pickle')):
        raise ValueError(f'--out {out}: detection results are dumped to a .pkl or .pickle file')
    if host == 'mmdet':
        return dict(type='DumpDetResults', out_file_path=out)
    return dict(type='DumpResults', out_file_path=out)
