# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""mmengine's ``LocalVisBackend`` with whole-record scalar files and a config file written atomically.

What the host gets wrong (mmengine 0.10.7): ``LocalVisBackend`` appends each scalar record to
``vis_data/<timestamp>.json`` and ``vis_data/scalars.json`` with ``json.dump`` into a buffered file: a full
disk leaves the file ending mid-record (every later reader of the file, ``tools/analysis_tools/
plot_curves.py`` included, fails on it) and raises a bare ``OSError: [Errno 28] No space left on device``
naming no file. ``config.py`` is written in place.
"""
from mmengine.fileio import dump
from mmengine.registry import VISBACKENDS
from mmengine.visualization import LocalVisBackend
from mmengine.visualization.vis_backend import force_init_env

from ..fileio import atomic_write
from ..fileio.whole_append import append_whole_to


@VISBACKENDS.register_module()
class WholeRecordLocalVisBackend(LocalVisBackend):
    """A :class:`mmengine.visualization.LocalVisBackend` whose files are never left half-written.

    Each scalar record is one JSON line appended whole (a failed write is cut back and raised as
    ``OSError: cannot write <file>: <reason>``); ``config.py`` is written atomically. Takes the arguments of
    ``LocalVisBackend``. :class:`~gersp_mm.engine.CrashSafeRunner` uses it in place of ``LocalVisBackend``.
    """

    @force_init_env
    def add_config(self, config, **kwargs) -> None:
        with atomic_write(self._config_save_file, 'w') as file:
            file.write(config.pretty_text)

    def _dump(self, value_dict: dict, file_path: str, file_format: str) -> None:
        record = dump(value_dict, file_format=file_format) + '\n'
        append_whole_to(file_path, record.encode('utf-8'))
