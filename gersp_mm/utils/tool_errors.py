# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The package's own errors reach the user of a tool as their sentence, not under a traceback.

Every exception class that ``gersp_mm`` defines stands for something the user fixes from its message alone,
one sentence naming the key, file or iteration: a config mistake
(:class:`~gersp_mm.engine.config_checks.ConfigCheckError`), a NaN/inf loss
(:class:`~gersp_mm.engine.NonFiniteLossError`), a missing, damaged or ill-fitting checkpoint
(:class:`~gersp_mm.fileio.CheckpointLoadError`, :class:`~gersp_mm.engine.ResumeCheckpointError`,
:class:`~gersp_mm.export.BackboneMismatchError`), ImageNet class folders that are missing
(:class:`~gersp_mm.pretrain.datasets.natural_checks.NaturalDatasetError`). ``tools/train.py`` and
``tools/test.py`` print it as ``error: <sentence>`` and exit with status 1; any other exception (a host
library's, or a bug) keeps its traceback.

What the host gets wrong: torch's data loader re-raises an error of a worker process as the same type with the
worker's whole traceback as its message; :func:`package_error_sentence` takes the sentence out of it.
"""
import contextlib
from typing import Iterator, Optional

from ..engine.config_checks import ConfigCheckError

#: What torch's data loader puts before the traceback of an error raised in a worker process.
_WORKER_TRACEBACK = '\nOriginal Traceback (most recent call last):\n'


def package_error_sentence(error: BaseException) -> Optional[str]:
    """The sentence of one of the package's own errors, or None for any other exception.

    Args:
        error (BaseException): A raised exception.

    Returns:
        str, optional: The message of ``error`` as the package raised it (in a data loader worker too); None
        when the class of ``error`` is not defined in ``gersp_mm``, or is a ``SystemExit`` (which ends a tool
        by itself).
    """
    if not isinstance(error, Exception) or not type(error).__module__.startswith('gersp_mm.'):
        return None
    message = str(error)
    if _WORKER_TRACEBACK in message:  # the last line of the worker's traceback: '<class name>: <message>'
        message = message.rstrip().splitlines()[-1].split(': ', 1)[-1]
    return message


@contextlib.contextmanager
def package_errors_as_sentences(config: str) -> Iterator[None]:
    """Run the block of a tool; one of the package's errors ends the process with its sentence.

    Args:
        config (str): The config file the tool runs: a config mistake
            (:class:`~gersp_mm.engine.config_checks.ConfigCheckError`) is reported as
            ``error: <config>: <sentence>``, every other error of the package as ``error: <sentence>``.

    Raises:
        SystemExit: With that line as the message (printed to stderr, exit status 1).
    """
    try:
        yield
    except Exception as error:  # noqa: BLE001 - the package's own errors, the others re-raised
        sentence = package_error_sentence(error)
        if sentence is None:
            raise
        where = f'{config}: ' if isinstance(error, ConfigCheckError) else ''
        raise SystemExit(f'error: {where}{sentence}') from None
