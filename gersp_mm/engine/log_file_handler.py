# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The training log file, written a whole line at a time; a failed write stops the run naming the file.

What the host gets wrong: mmengine's logger writes its file through :class:`logging.FileHandler`, a
buffered text stream. When a write fails (a full disk), :mod:`logging` prints ``--- Logging error ---`` to
stderr and carries on: the line and every later one are lost while the run goes on, and the file may end
mid-line.
"""
import logging

from ..fileio.whole_append import append_whole


class WholeLineFileHandler(logging.FileHandler):
    """A :class:`logging.FileHandler` that appends each formatted record whole, with one ``os.write``.

    A write that fails is cut back (the file ends with the previous complete line) and raised from the
    logging call as ``OSError: cannot write <log file>: <reason>``, with the line not written: the run stops
    there instead of training on without a log.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + self.terminator
        except Exception:  # noqa: BLE001 - a bad format string or argument: logging's own report, as the host
            self.handleError(record)
            return
        if self.stream is None:
            self.stream = self._open()
        data = line.encode(self.stream.encoding, errors='backslashreplace')
        try:
            append_whole(self.stream.fileno(), data, self.baseFilename)
        except OSError as err:
            raise type(err)(err.errno, f'{err.strerror}; the line not written: {line.rstrip()!r}') from err

    @classmethod
    def replacing(cls, handler: logging.FileHandler) -> 'WholeLineFileHandler':
        """Close ``handler`` and return one appending (UTF-8) to its file, with its level, formatter and filters."""
        handler.close()
        replacement = cls(handler.baseFilename, mode='a', encoding='utf-8')
        replacement.setLevel(handler.level)
        replacement.setFormatter(handler.formatter)
        for log_filter in handler.filters:
            replacement.addFilter(log_filter)
        return replacement
