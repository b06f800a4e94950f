# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Which GPU architectures the CUDA kernels of a compiled extension (mmcv's ``_ext``) are built for.

``nvcc`` embeds the device code of each ``.cu`` file in the shared object's ``.nv_fatbin`` section, as fat
binaries: a 16-byte header (magic ``0xBA55ED50``, version, header size, payload size) followed by entries of
machine code (SASS, an ELF cubin for one ``sm_XY``) or PTX (for a ``compute_XY``, JIT-compiled by the driver
for newer GPUs), each with its kind and architecture in its own header. Reading them needs no GPU and no
CUDA tool (``cuobjdump --list-elf`` tells the same), so the setup's self-check can tell on a build machine
which GPUs the kernels will run on.

Standard library only (see :mod:`gersp_mm.mmcv_build`).
"""
import struct
from pathlib import Path
from typing import Dict, List, Tuple

_FATBIN_MAGIC = 0xBA55ED50
_ENTRY_KINDS = {1: 'ptx', 2: 'sass'}


def _elf_sections(data: bytes, path: Path) -> Dict[str, Tuple[int, int]]:
    if data[:4] != b'\x7fELF' or data[4] != 2:
        raise ValueError(f'{path} is not a 64-bit ELF shared object')
    shoff, = struct.unpack_from('<Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3A)
    headers = [struct.unpack_from('<IIQQQQ', data, shoff + index * shentsize) for index in range(shnum)]
    names_offset = headers[shstrndx][4]
    sections = {}
    for name, _type, _flags, _address, offset, size in headers:
        start = names_offset + name
        sections[data[start:data.index(b'\0', start)].decode()] = (offset, size)
    return sections


def cuda_architectures(path: Path) -> Dict[str, List[int]]:
    """The architectures of the device code in a shared object.

    Args:
        path (Path): an extension, e.g. ``mmcv/_ext.cpython-311-x86_64-linux-gnu.so``.

    Returns:
        dict: ``{'sass': [80, 89, 90], 'ptx': [...]}``, sorted compute capabilities x 10 (``sm_80`` is 80);
        both empty for a shared object without CUDA kernels (a CPU build).

    Raises:
        ValueError: the file is not a 64-bit ELF file, or its fat binaries are malformed.
    """
    path = Path(path)
    data = path.read_bytes()
    found: Dict[str, set] = {'sass': set(), 'ptx': set()}
    section = _elf_sections(data, path).get('.nv_fatbin')
    if section is None:
        return {kind: [] for kind in found}
    blob = data[section[0]:section[0] + section[1]]
    position = 0
    while position + 16 <= len(blob):
        magic, _version, header_size, payload_size = struct.unpack_from('<IHHQ', blob, position)
        if magic != _FATBIN_MAGIC:  # padding between fat binaries (8-byte aligned)
            position += 8
            continue
        entry, end = position + header_size, position + header_size + payload_size
        if end > len(blob):
            raise ValueError(f'{path}: a fat binary at offset {position} runs past its .nv_fatbin section')
        while entry < end:
            kind, _version, entry_header, entry_payload = struct.unpack_from('<HHII', blob, entry)
            architecture, = struct.unpack_from('<I', blob, entry + 28)
            if kind in _ENTRY_KINDS:
                found[_ENTRY_KINDS[kind]].add(architecture)
            if entry_header + entry_payload == 0:
                raise ValueError(f'{path}: an empty fat binary entry at offset {entry}')
            entry += entry_header + entry_payload
        position = end
    return {kind: sorted(architectures) for kind, architectures in found.items()}
