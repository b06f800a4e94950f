# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""File names that are not valid UTF-8 (e.g. Latin-1 names from an old archive or a Windows share).

Python keeps such a name's undecodable bytes as lone surrogates (``'caf\\udce9.jpg'``): the file opens, but
the name cannot be written to a UTF-8 file or console. A log line naming it is lost (``--- Logging error
---``), and a UTF-8 file list cannot hold it.
"""


def is_utf8_name(name: str) -> bool:
    """Whether ``name`` (as :mod:`os` returns it) is valid UTF-8 on disk."""
    try:
        name.encode('utf-8')
    except UnicodeEncodeError:
        return False
    return True


def printable_name(text: str) -> str:
    """``text`` with the undecodable bytes of the file names it holds shown as ``\\xNN`` escapes
    (``'caf\\udce9.jpg'`` -> ``'caf\\\\xe9.jpg'``): printable and writable as UTF-8."""
    return text.encode('utf-8', 'surrogateescape').decode('utf-8', 'backslashreplace')
