# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The one way the package draws: a matplotlib :class:`~matplotlib.figure.Figure` on its own Agg canvas, saved
as a PNG file.

No ``pyplot``: it keeps a process-wide backend and list of open figures, which a library should leave to its
caller (a notebook, a GUI), and needs no display here. The figures of the training curves, the demo, the
downstream suite and the frozen evaluation are all made and saved by these two functions.
"""
import os
from typing import Tuple, Union

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..fileio import atomic_write


def new_figure(figsize: Tuple[float, float]) -> Figure:
    """An empty figure of ``figsize`` inches on an Agg canvas (add panels with ``figure.subplots``)."""
    figure = Figure(figsize=figsize)
    FigureCanvasAgg(figure)
    return figure


def save_png(figure: Figure, path: Union[str, os.PathLike], dpi: int = 100) -> None:
    """Write ``figure`` to ``path`` as a PNG of ``dpi`` dots per inch, all or nothing (its folder is created)."""
    with atomic_write(path, 'wb') as file:
        figure.savefig(file, format='png', dpi=dpi)
