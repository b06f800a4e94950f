# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
__version__ = '0.1.0'


def parse_version_info(version_str: str) -> tuple:
    """Parse a version string such as ``'0.1.0'`` or ``'0.1.0rc1'`` into a tuple.

    Args:
        version_str (str): The version string.

    Returns:
        tuple: ``(major, minor, patch[, 'rcN'])`` with integers for the numeric parts.
    """
    info = []
    for part in version_str.split('.'):
        if part.isdigit():
            info.append(int(part))
        elif 'rc' in part:
            number, rc = part.split('rc')
            info.extend([int(number), f'rc{rc}'])
    return tuple(info)


version_info = parse_version_info(__version__)
