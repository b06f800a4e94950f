# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Extract the (student) ResNet backbone of a pre-training checkpoint, for fine-tuning anywhere.

Recognised inputs: gersp_mm GeRSP/MoCo checkpoints, the authors' released GeRSP checkpoints (mmselfsup
0.x), MoCo checkpoints of mmpretrain / mmselfsup (0.x and 1.x) and of the official MoCo code, any
OpenMMLab model with ``backbone.*``, and torchvision ResNet state dicts. The output holds tensors only
(it loads with ``torch.load(..., weights_only=True)``):

- ``--layout mm`` (default): ``{'state_dict': {'backbone.*': ...}, 'meta': ...}``, for
  ``init_cfg=dict(type='Pretrained', checkpoint=OUT, prefix='backbone.')`` in mmdet/mmseg/mmpretrain;
- ``--layout torchvision``: a state dict for ``torchvision.models.resnet50().load_state_dict(sd)``
  (``fc`` is the checkpoint's classifier if it has a 1000-way one, else zeros).

Both carry metadata that loading ignores (``meta``, or the state dict's ``_metadata['gersp_mm']``): layout,
depth, source file and layout, and the training input read from the checkpoint's config (else GeRSP's
defaults, marked as such): ``mean``/``std`` (0-255 scale), ``channel_order`` and ``input_size``.

Examples::

    python tools/model_converters/extract_backbone.py work_dirs/gersp_r50/epoch_100.pth gersp_r50_backbone.pth
    python tools/model_converters/extract_backbone.py gersp_released.pth gersp_r50_tv.pth --layout torchvision
    # a checkpoint that holds non-tensor Python objects (old mmcv configs...): only if you trust it
    python tools/model_converters/extract_backbone.py old_mmselfsup.pth out.pth --unsafe-load
"""
import argparse
import os.path as osp
import sys
from typing import Optional, Sequence

from ..fileio import CheckpointLoadError
from .backbone_export import EXPORT_LAYOUTS, export_backbone
from .metadata import format_metadata
from .resnet_tensors import BackboneExtractionError


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help='input checkpoint')
    parser.add_argument('dst', help='output file')
    parser.add_argument('--layout', choices=EXPORT_LAYOUTS, default='mm', help='output layout')
    parser.add_argument('--unsafe-load', action='store_true',
                        help='load the input with weights_only=False (runs code from the file: trusted files only)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command line of ``tools/model_converters/extract_backbone.py``; returns its exit code."""
    args = parse_args(argv)
    if osp.isfile(args.src):
        print(f'loading {args.src} ({osp.getsize(args.src) / 2**20:.1f} MiB) ...', flush=True)
    try:
        # errors name the file and what is wrong with it; only foreign Python objects point at --unsafe-load
        export = export_backbone(args.src, args.dst, args.layout, unsafe=args.unsafe_load)
    except (CheckpointLoadError, BackboneExtractionError, OSError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    if export.zero_fc:
        print('note: the checkpoint has no 1000-way classifier: fc is written as zeros')
    print(f'recognised layout: {export.backbone.layout}; ResNet-{export.backbone.depth}; wrote '
          f'{export.num_tensors} tensors ({args.layout} layout) to {args.dst}')
    print(f'metadata (training input of the backbone; "default": not in the checkpoint):\n'
          f'{format_metadata(export.metadata)}')
    return 0
