# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Loading checkpoint files safely, with one diagnosis of what is wrong with a file that does not load.

Every place this package loads a checkpoint (``--resume``, ``load_from``, ``init_cfg=dict(type='Pretrained')``
through mmengine's ``CheckpointLoader``, ``tools/model_converters/extract_backbone.py``) goes through
:func:`load_checkpoint_file`. torch reports a damaged or foreign file in terms of its internals
(``PytorchStreamReader failed reading zip archive``, a bare ``EOFError``, ``pop from empty list``, or
"Weights only load failed" for a JPEG), without the file name. Here every failure is a
:class:`CheckpointLoadError` naming the file and one of these diagnoses (its ``reason``):

``missing``         no such file (or it is a directory);
``empty``           0 bytes: a write that never started or was cut off at once;
``truncated``       an incomplete or corrupt ``torch.save`` archive (cut-off write, failed copy, flipped bytes);
``not_checkpoint``  some other kind of file: an image, text, a plain pickle, safetensors, numpy, HDF5, ...;
``foreign``         a complete checkpoint holding Python objects outside the safe allow-list: the only case
                    where loading with ``unsafe=True`` (``--unsafe-load`` in the tools) can help.

Safe loading (torch >= 2.6 defaults to ``weights_only=True``, which refuses mmengine's checkpoints) allows
only the plain data of an mmengine ``Runner`` checkpoint in addition to tensors: :mod:`.checkpoint_allow_list`.
The diagnosis of a file that does not load without unpickling it: :mod:`.checkpoint_file_check`.
"""
import os
import os.path as osp
import pickle
from typing import Any, Callable, Optional, Union

import torch

from .checkpoint_allow_list import mmengine_checkpoint_globals
from .checkpoint_file_check import check_checkpoint_file, checkpoint_error


def _is_foreign_object_error(err: pickle.UnpicklingError) -> bool:
    message = str(err)
    return 'GLOBAL' in message or 'is not allowed in a checkpoint' in message


def load_checkpoint_file(path: Union[str, 'os.PathLike[str]'],
                         map_location: Optional[Union[str, torch.device, Callable]] = 'cpu',
                         unsafe: bool = False) -> Any:
    """Load a local checkpoint file, by default safely (``weights_only=True``, mmengine's data allowed).

    Args:
        path: The checkpoint file (``~`` is expanded).
        map_location: Same as :func:`torch.load`. Defaults to ``'cpu'``.
        unsafe (bool): Unpickle arbitrary Python objects (``weights_only=False``): this runs code from the
            file, so only for files you trust. Defaults to False.

    Returns:
        The unpickled checkpoint (usually a dict).

    Raises:
        CheckpointLoadError: The file is missing, empty, truncated/corrupt, not a checkpoint, or (safe
            loading only) holds Python objects outside the allow-list; the message names the file.
    """
    path = osp.expanduser(os.fspath(path))
    check_checkpoint_file(path)
    if unsafe or not hasattr(torch.serialization, 'safe_globals'):  # torch < 2.5 has no allow-list
        try:
            return torch.load(path, map_location=map_location, weights_only=False)
        except (pickle.UnpicklingError, EOFError, RuntimeError, OSError, ValueError) as err:
            raise checkpoint_error(path, 'truncated', f'corrupt checkpoint ({type(err).__name__}: {err})') from err
    with torch.serialization.safe_globals(mmengine_checkpoint_globals()):
        try:
            return torch.load(path, map_location=map_location, weights_only=True)
        except pickle.UnpicklingError as err:
            if not _is_foreign_object_error(err):
                raise checkpoint_error(path, 'truncated', f'corrupt checkpoint (unreadable pickle data: '
                                       f'{_last_line(err)})') from err
            raise checkpoint_error(
                path, 'foreign',
                f'it holds Python objects outside the safe allow-list (tensors, containers, mmengine log '
                f'buffers, numpy arrays): {_last_line(err)}. If you trust this file, load it with '
                f'--unsafe-load (tools) or load_checkpoint_file(..., unsafe=True), or convert it once with '
                f'torch.load(..., weights_only=False) and save its tensors again.') from err
        except (EOFError, RuntimeError, OSError, ValueError, IndexError, KeyError) as err:
            raise checkpoint_error(path, 'truncated', f'corrupt checkpoint ({type(err).__name__}: {err})') from err


def _last_line(err: BaseException) -> str:
    """The informative line of torch's long weights_only message (e.g. 'Unsupported global: GLOBAL x.y')."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    for line in lines:
        if 'GLOBAL' in line or 'not allowed' in line or 'Unsupported' in line:
            return line
    return lines[-1] if lines else type(err).__name__
