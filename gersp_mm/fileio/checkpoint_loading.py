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

Safe loading (torch >= 2.6 defaults to ``weights_only=True``, which refuses mmengine's checkpoints): the
allow-list adds to torch's tensors and containers only the plain data an mmengine ``Runner`` checkpoint holds
(its log ``HistoryBuffer`` with its statistics methods, numpy arrays, dtypes and scalars).
"""
import os
import os.path as osp
import pickle
import zipfile
from functools import lru_cache
from typing import Any, Callable, List, Optional, Union

import numpy as np
import torch

#: The first bytes of a checkpoint written by ``torch.save(..., _use_new_zipfile_serialization=False)``:
#: pickle protocol 2 and torch's magic number 0x1950a86a20f9469cfc6c.
_LEGACY_TORCH_MAGIC = b'\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19'
_ZIP_MAGIC = b'PK\x03\x04'
# Signatures of files that get renamed or mistaken for checkpoints.
_SIGNATURES = (
    (b'\xff\xd8\xff', 'a JPEG image'),
    (b'\x89PNG\r\n\x1a\n', 'a PNG image'),
    (b'GIF87a', 'a GIF image'),
    (b'GIF89a', 'a GIF image'),
    (b'II*\x00', 'a TIFF image'),
    (b'MM\x00*', 'a TIFF image'),
    (b'BM', 'a BMP image'),
    (b'\x93NUMPY', 'a numpy .npy array'),
    (b'\x89HDF\r\n\x1a\n', 'an HDF5 file (e.g. Keras weights)'),
    (b'\x1f\x8b', 'a gzip archive (unpack it first)'),
    (b'7z\xbc\xaf\x27\x1c', 'a 7z archive (unpack it first)'),
    (b'%PDF', 'a PDF document'),
    (b'<', 'an HTML/XML document (e.g. an error page saved by a download)'),
)


class CheckpointLoadError(ValueError):
    """A checkpoint file that cannot be loaded; the message names the file and says why.

    Attributes:
        path (str): The file.
        reason (str): ``'missing'``, ``'empty'``, ``'truncated'``, ``'not_checkpoint'`` or ``'foreign'``.
    """

    def __init__(self, path: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason


def _numpy_reconstruct() -> Callable:
    """Return numpy's array-unpickling helper under its current module path (numpy 1.x or 2.x)."""
    try:
        from numpy._core.multiarray import _reconstruct
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct
    return _reconstruct


def _numpy_scalar() -> Callable:
    """Return numpy's scalar-unpickling helper under its current module path."""
    try:
        from numpy._core.multiarray import scalar
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import scalar
    return scalar


# The statistics every HistoryBuffer registers (lazily, in its __init__).
_BUILTIN_STATISTICS = ('min', 'max', 'current', 'mean')


def _history_buffer_getattr(obj: Any, name: str) -> Any:
    """``getattr`` restricted to what a pickled ``HistoryBuffer`` references: its statistics methods.

    A pickled ``HistoryBuffer`` refers to its registered statistics (``HistoryBuffer.min``, ...) through
    ``builtins.getattr``. Allowing the real ``getattr`` would expose every attribute of every allowed
    class (e.g. ``numpy.ndarray.tofile``, which writes files); this stand-in allows only those methods.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    if obj is HistoryBuffer and name in {*_BUILTIN_STATISTICS, *HistoryBuffer._statistics_methods}:
        return getattr(obj, name)
    raise pickle.UnpicklingError(f'getattr({obj!r}, {name!r}) is not allowed in a checkpoint')


@lru_cache(maxsize=None)
def mmengine_checkpoint_globals() -> List[Any]:
    """The non-tensor globals that a checkpoint written by an mmengine ``Runner`` contains.

    Returns:
        list: Classes and functions (or ``(function, qualified name)`` aliases) allowed in addition to
        torch's own ``weights_only`` allow-list: mmengine's ``HistoryBuffer`` (the message hub's log
        history) with its statistics methods, numpy arrays, dtypes and scalars.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    dtype_classes = sorted({type(np.dtype(code)) for code in np.typecodes['All'] if code != 'O'},
                           key=lambda cls: cls.__name__)
    return [HistoryBuffer, (_history_buffer_getattr, 'builtins.getattr'), _numpy_reconstruct(),
            _numpy_scalar(), np.ndarray, np.dtype, *dtype_classes]


def _looks_like_text(head: bytes) -> bool:
    if not head or b'\x00' in head:
        return False
    try:
        text = head.decode('utf-8')
    except UnicodeDecodeError as err:  # a multi-byte character cut at the end of the sample
        if err.start < len(head) - 3:
            return False
        text = head[:err.start].decode('utf-8')
    return all(char.isprintable() or char in '\t\r\n\f' for char in text)


def _is_safetensors(head: bytes, size: int) -> bool:
    if len(head) < 10:
        return False
    header_len = int.from_bytes(head[:8], 'little')
    return 0 < header_len < size and head[8:10] in (b'{"', b'{ ', b'{}')


def _kind_of_foreign_file(path: str, head: bytes, size: int) -> Optional[str]:
    """What ``path`` is when it is evidently not a ``torch.save`` file, else None."""
    if head.startswith(_ZIP_MAGIC) or head.startswith(_LEGACY_TORCH_MAGIC):
        return None
    if head.startswith(b'RIFF') and head[8:12] == b'WEBP':
        return 'a WEBP image'
    if _is_safetensors(head, size):
        return 'a safetensors file (load it with safetensors.torch.load_file)'
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:1] == b'\x80' and 2 <= head[1] <= 5:
        return 'a plain Python pickle, not a torch.save checkpoint'
    if _looks_like_text(head):
        first_line = head.decode('utf-8', errors='replace').strip().splitlines()[0][:60] if head.strip() else ''
        return f'a text file (it starts with {first_line!r})'
    return None


def _check_zip(path: str, size: int) -> None:
    """Check that the zip archive ``path`` is complete (its CRCs are verified) and holds a ``data.pkl``."""
    damage = None
    try:
        with zipfile.ZipFile(path) as archive:
            bad_member = archive.testzip()
            names = archive.namelist()
    except zipfile.BadZipFile as err:
        damage = f'the end of the zip archive is missing or damaged ({err}): a write or copy was cut off'
    except (OSError, EOFError, ValueError, RuntimeError) as err:  # e.g. a truncated member
        damage = f'unreadable archive ({type(err).__name__}: {err})'
    else:
        if bad_member is not None:
            damage = f'corrupt archive member {bad_member!r} (CRC mismatch)'
        elif not any(name == 'data.pkl' or name.endswith('/data.pkl') for name in names):
            raise _error(path, 'not_checkpoint', 'not a PyTorch checkpoint: it is a zip archive without the '
                         'data.pkl of a torch.save file')
    if damage is not None:
        raise _error(path, 'truncated', f'truncated or corrupt checkpoint ({size} bytes): {damage}')


def _error(path: str, reason: str, detail: str) -> CheckpointLoadError:
    return CheckpointLoadError(path, reason, f'cannot load checkpoint {path}: {detail}')


def check_checkpoint_file(path: Union[str, 'os.PathLike[str]']) -> None:
    """Check that ``path`` is a complete ``torch.save`` file, without unpickling it.

    Detects a missing, empty, truncated or corrupt (CRC-checked) file and other kinds of files.

    Raises:
        CheckpointLoadError: Naming the file and the diagnosis.
    """
    path = os.fspath(path)
    if not osp.exists(path):
        raise CheckpointLoadError(path, 'missing', f'cannot load checkpoint: {path} not found (no such file)')
    if osp.isdir(path):
        raise _error(path, 'missing', 'it is a directory, not a file')
    size = osp.getsize(path)
    if size == 0:
        raise _error(path, 'empty', 'the file is empty (0 bytes): its write never completed')
    with open(path, 'rb') as file:
        head = file.read(512)
    kind = _kind_of_foreign_file(path, head, size)
    if kind is not None:
        raise _error(path, 'not_checkpoint', f'not a PyTorch checkpoint: it is {kind}')
    if head.startswith(_ZIP_MAGIC):
        _check_zip(path, size)
    elif not head.startswith(_LEGACY_TORCH_MAGIC):
        raise _error(path, 'not_checkpoint',
                     f'not a PyTorch checkpoint: unknown format (first bytes {head[:8].hex(" ")})')


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
            raise _error(path, 'truncated', f'corrupt checkpoint ({type(err).__name__}: {err})') from err
    with torch.serialization.safe_globals(mmengine_checkpoint_globals()):
        try:
            return torch.load(path, map_location=map_location, weights_only=True)
        except pickle.UnpicklingError as err:
            if not _is_foreign_object_error(err):
                raise _error(path, 'truncated', f'corrupt checkpoint (unreadable pickle data: '
                             f'{_last_line(err)})') from err
            raise _error(
                path, 'foreign',
                f'it holds Python objects outside the safe allow-list (tensors, containers, mmengine log '
                f'buffers, numpy arrays): {_last_line(err)}. If you trust this file, load it with '
                f'--unsafe-load (tools) or load_checkpoint_file(..., unsafe=True), or convert it once with '
                f'torch.load(..., weights_only=False) and save its tensors again.') from err
        except (EOFError, RuntimeError, OSError, ValueError, IndexError, KeyError) as err:
            raise _error(path, 'truncated', f'corrupt checkpoint ({type(err).__name__}: {err})') from err


def _last_line(err: BaseException) -> str:
    """The informative line of torch's long weights_only message (e.g. 'Unsupported global: GLOBAL x.y')."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    for line in lines:
        if 'GLOBAL' in line or 'not allowed' in line or 'Unsupported' in line:
            return line
    return lines[-1] if lines else type(err).__name__
