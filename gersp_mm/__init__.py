# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""GeRSP pre-training and remote-sensing benchmarks for OpenMMLab 2.x.

Importing ``gersp_mm`` requires neither mmdet nor mmsegmentation, and it changes the process in two ways:

- it registers, in mmengine's root registries where every host finds them, the crash-safety modules of
  :mod:`gersp_mm.engine` (non-finite guard, atomic checkpoints, ``CrashSafeRunner`` with its checked resume)
  and the loading transform of remote-sensing rasters (``LoadRasterImage``, :mod:`gersp_mm.raster`: GeoTIFF,
  16-bit, multi-band files);
- it installs the compatibility layer for the pinned OpenMMLab stack (:func:`~gersp_mm.compat.install_compat`):
  log filters that quiet the host libraries' harmless messages (:mod:`gersp_mm.compat.log_filters`: a
  replaced log-record factory and two warning filters), ``gersp_mm`` added to mmengine's ``MODULE2PACKAGE``
  so that configs inherit ``gersp_mm::`` bases (whose dicts :mod:`gersp_mm.registry` builds, imported by
  mmengine when it meets the scope), and mmengine's loader of local checkpoints re-registered (torch >= 2.6
  with ``weights_only=True`` kept).

The modules that extend a host library live in one sub-package per host and register themselves when
imported, typically through a config's ``custom_imports``:

- :mod:`gersp_mm.pretrain`: GeRSP pre-training (mmpretrain registries);
- :mod:`gersp_mm.cls`: remote-sensing scene classification datasets (mmpretrain registries);
- :mod:`gersp_mm.det`: remote-sensing detection datasets (mmdet registries);
- :mod:`gersp_mm.seg`: remote-sensing segmentation (mmseg registries).

The rest of the package serves the command lines in ``tools/``, each a thin CLI over one of them:

- :mod:`gersp_mm.utils`: what the tools share: the config a tool runs (``--cfg-options``, what
  ``tools/test.py`` adds), the package's errors as one line, where the shipped configs and tools are, and the
  environment report (``python -m gersp_mm.utils.collect_env --check``);
- :mod:`gersp_mm.engine`: crash safety (non-finite guard, atomic checkpoints, checked resume);
- :mod:`gersp_mm.fileio`: atomic writes, checked checkpoint loading, image file scans;
- :mod:`gersp_mm.export`: backbone export from every known checkpoint layout, and its metadata;
- :mod:`gersp_mm.downstream`: the downstream benchmark suite (inits x tasks x seeds, results vs the paper);
- :mod:`gersp_mm.frozen_eval`: frozen-backbone evaluation with few labels, bootstrap intervals, paired differences;
- :mod:`gersp_mm.analysis`: scalar logs, training curves, seed summaries, the dataset check;
- :mod:`gersp_mm.demo`: the main job (``tools/demo.py``) on built-in synthetic data.

Each tool is a script that runs ``main(argv)`` of its package module, where its options, messages and exit
status live: ``tools/dataset_converters/NAME.py`` runs ``gersp_mm.<det|cls|pretrain>.converters.NAME`` (in the
host sub-package whose data it prepares), ``tools/analysis_tools/NAME.py`` ``gersp_mm.analysis.NAME``,
``tools/model_converters/NAME.py`` ``gersp_mm.export.NAME``, ``tools/NAME.py`` ``gersp_mm.<sub>.cli``.
``tools/train.py``, ``tools/test.py`` and ``tools/demo.py`` parse their own options, as mmdet's tools do.
"""
from . import engine, raster  # noqa: F401 - register the crash-safety hooks and runner, LoadRasterImage
from .compat import install_compat
from .version import __version__, version_info

install_compat()

__all__ = ['__version__', 'version_info', 'install_compat']
