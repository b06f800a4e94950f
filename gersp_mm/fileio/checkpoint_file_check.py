# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""What is wrong with a file given as a checkpoint, told without unpickling it.

torch reports a damaged or foreign file in terms of its internals (``PytorchStreamReader failed reading zip
archive``, a bare ``EOFError``, ``pop from empty list``, or "Weights only load failed" for a JPEG), without the
file name. :func:`check_checkpoint_file` reads the file's size, first bytes and (for a zip archive) its CRCs,
and raises a :class:`CheckpointLoadError` naming the file and a diagnosis (see :mod:`.checkpoint_loading`).
"""
import os
import os.path as osp
import zipfile
from typing import Optional, Union

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


def checkpoint_error(path: str, reason: str, detail: str) -> CheckpointLoadError:
    """A :class:`CheckpointLoadError` whose message is ``cannot load checkpoint <path>: <detail>``."""
    return CheckpointLoadError(path, reason, f'cannot load checkpoint {path}: {detail}')


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
            raise checkpoint_error(path, 'not_checkpoint', 'not a PyTorch checkpoint: it is a zip archive without the '
                         'data.pkl of a torch.save file')
    if damage is not None:
        raise checkpoint_error(path, 'truncated', f'truncated or corrupt checkpoint ({size} bytes): {damage}')


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
        raise checkpoint_error(path, 'missing', 'it is a directory, not a file')
    size = osp.getsize(path)
    if size == 0:
        raise checkpoint_error(path, 'empty', 'the file is empty (0 bytes): its write never completed')
    with open(path, 'rb') as file:
        head = file.read(512)
    kind = _kind_of_foreign_file(path, head, size)
    if kind is not None:
        raise checkpoint_error(path, 'not_checkpoint', f'not a PyTorch checkpoint: it is {kind}')
    if head.startswith(_ZIP_MAGIC):
        _check_zip(path, size)
    elif not head.startswith(_LEGACY_TORCH_MAGIC):
        raise checkpoint_error(path, 'not_checkpoint',
                     f'not a PyTorch checkpoint: unknown format (first bytes {head[:8].hex(" ")})')
