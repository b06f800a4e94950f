# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The metadata stored with an exported backbone: where it comes from and what it expects as input.

The preprocessing fields (``mean``, ``std``, ``channel_order``, ``input_size``) follow the conventions of
:mod:`.preprocessing`; ``defaults`` names those the source checkpoint did not say.
"""
from typing import Any, Dict, Mapping, Optional

from .preprocessing import Preprocessing


def export_metadata(layout: str, source: str, source_layout: str, depth: int,
                    preprocessing: Preprocessing) -> Dict[str, Any]:
    """The metadata stored in an exported backbone file: plain data only (strings, numbers, lists).

    Args:
        layout (str): Layout of the exported file, ``'mm'`` or ``'torchvision'``.
        source (str): File name of the source checkpoint.
        source_layout (str): Recognised layout of the source (:data:`gersp_mm.export.LAYOUTS`).
        depth (int): ResNet depth.
        preprocessing (Preprocessing): The training input.

    Returns:
        dict: ``layout``, ``arch``, ``depth``, ``source``, ``source_layout``, ``mean``, ``std``,
        ``channel_order``, ``input_size`` and ``defaults`` (the preprocessing fields not found in the source).
    """
    return dict(layout=layout, arch=f'resnet{depth}', depth=depth, source=source, source_layout=source_layout,
                mean=[round(v, 6) for v in preprocessing.mean], std=[round(v, 6) for v in preprocessing.std],
                channel_order=preprocessing.channel_order, input_size=preprocessing.input_size,
                defaults=list(preprocessing.defaults))


def read_export_metadata(exported: Any) -> Optional[Dict[str, Any]]:
    """The metadata of an exported backbone as loaded with ``torch.load``: ``meta`` of the mm layout, or
    ``_metadata['gersp_mm']`` of the torchvision layout; None if there is none."""
    if isinstance(exported, dict) and isinstance(exported.get('meta'), dict) and 'state_dict' in exported:
        return exported['meta']
    metadata = getattr(exported, '_metadata', None)
    if isinstance(metadata, dict) and isinstance(metadata.get('gersp_mm'), dict):
        return metadata['gersp_mm']
    return None


def format_metadata(metadata: Mapping[str, Any]) -> str:
    """One line per field, for printing; defaulted preprocessing fields are marked ``(default)``."""
    defaults = set(metadata.get('defaults', ()))
    fields = ('layout', 'arch', 'source', 'source_layout', 'mean', 'std', 'channel_order', 'input_size')
    return '\n'.join(f'  {key}: {metadata[key]}{" (default)" if key in defaults else ""}'
                     for key in fields if key in metadata)
