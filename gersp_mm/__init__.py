# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""GeRSP pre-training and remote-sensing benchmarks for OpenMMLab 2.x.

Importing ``gersp_mm`` only installs the compatibility layer for the pinned OpenMMLab stack
(:mod:`gersp_mm.compat`). The modules that extend a host library live in one sub-package per host and
register themselves when imported, typically through a config's ``custom_imports``:

- :mod:`gersp_mm.pretrain`: GeRSP pre-training (mmpretrain registries);
- :mod:`gersp_mm.cls`: remote-sensing scene classification datasets (mmpretrain registries);
- :mod:`gersp_mm.det`: remote-sensing detection datasets (mmdet registries);
- :mod:`gersp_mm.seg`: remote-sensing segmentation (mmseg registries).

so that importing ``gersp_mm`` never requires mmdet or mmsegmentation. It does register the crash-safety
modules of :mod:`gersp_mm.engine` (non-finite guard, atomic checkpoints, checked resume) in mmengine's root
registries, where every host finds them, and so does the loading transform of remote-sensing rasters
(:mod:`gersp_mm.raster`: GeoTIFF, 16-bit, multi-band files). :mod:`gersp_mm.registry` (imported
by mmengine when it meets the scope) builds the dicts of configs that inherit ``gersp_mm::`` bases.
The import also quiets the host libraries' harmless log messages (:mod:`gersp_mm.log_filters`).

The rest of the package serves the command lines in ``tools/``, each a thin CLI over one of them:

- :mod:`gersp_mm.engine`: crash safety (non-finite guard, atomic checkpoints, checked resume);
- :mod:`gersp_mm.fileio`: atomic writes, checked checkpoint loading, image file scans;
- :mod:`gersp_mm.export`: backbone export from every known checkpoint layout, and its metadata;
- :mod:`gersp_mm.downstream`: the downstream benchmark suite (inits x tasks x seeds, results vs the paper);
- :mod:`gersp_mm.frozen_eval`: frozen-backbone evaluation with few labels, bootstrap intervals, paired differences;
- :mod:`gersp_mm.analysis`: scalar logs, training curves, seed summaries, the dataset check;
- :mod:`gersp_mm.demo`: the main job (``tools/demo.py``) on built-in synthetic data.
"""
from .log_filters import install_log_filters

install_log_filters()  # first: the filters should see every message of the host libraries
from .compat import install_compat  # noqa: E402
from .version import __version__, version_info  # noqa: E402

install_compat()
from . import engine, raster  # noqa: E402,F401 - register the crash-safety hooks and runner, LoadRasterImage

__all__ = ['__version__', 'version_info', 'install_compat']
