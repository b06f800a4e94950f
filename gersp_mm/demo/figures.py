# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The demo's pictures: training curves with the k-NN monitor, and detections next to the ground truth."""
from typing import Dict, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.patches import Rectangle

from gersp_mm.analysis.png_figure import new_figure, save_png

from .detections import Detections
from .logs import curve, scalar_log
from .plan import DEMO_TASKS, KNN_METRIC, PRETRAININGS, init_titles

#: Colour of each init (by label) in every panel.
COLOURS = dict(gersp='tab:red', moco='tab:blue', supervised='tab:green', random='tab:gray')


def plot_training_curves(run_dirs: Dict[str, str], num_classes: int, path: str) -> None:
    """Pre-training losses, the k-NN monitor with its chance line, and the fine-tuning losses, one panel each.

    Args:
        run_dirs (dict[str, str]): Run name (``pretrain_<init>``, ``<task>_<init>``) -> work dir, of one seed.
        num_classes (int): Classes of the k-NN monitor's scenes (the chance line is ``100 / num_classes``).
        path (str): The PNG file to write.
    """
    titles = init_titles()
    figure = new_figure((5.2 * (2 + len(DEMO_TASKS)), 4.2))
    axes = figure.subplots(1, 2 + len(DEMO_TASKS))
    losses, knn = axes[0], axes[1]
    for init in PRETRAININGS:
        log = scalar_log(run_dirs[f'pretrain_{init.label}'])
        # GeRSP logs both terms, MoCo the contrastive one, the classifier its cross-entropy as `loss`
        keys = [key for key in ('loss_contrastive', 'loss_cls') if any(key in record for record in log['train'])]
        for key in keys or ['loss']:
            kind = 'contrastive' if key == 'loss_contrastive' else 'classification'
            losses.plot(*curve(log['train'], key), '-' if kind == 'contrastive' else '--', color=COLOURS[init.label],
                        label=f'{titles[init.label]}: {kind}')
        knn.plot(*curve(log['val'], KNN_METRIC), 'o-', color=COLOURS[init.label], label=titles[init.label])
    knn.axhline(100 / num_classes, color='black', linestyle=':', label=f'chance ({100 / num_classes:.1f}%)')
    losses.set(title='pre-training losses', ylabel='training loss')
    knn.set(title='k-NN monitor: NWPU-format scenes', ylabel='k-NN top-1 (%)', ylim=(0, 100))
    for axis, task in zip(axes[2:], DEMO_TASKS.values()):
        for label, title in titles.items():
            axis.plot(*curve(scalar_log(run_dirs[f'{task.name}_{label}'])['train'], 'loss'), color=COLOURS[label],
                      label=title)
        axis.set_title(f'fine-tuning: {task.title}', fontsize=9)
        axis.set_ylabel('training loss')
    for axis in axes:
        axis.set_xlabel('iteration')
        axis.legend(fontsize=7)
        axis.grid(alpha=0.3)
    figure.tight_layout()
    save_png(figure, path)


def plot_detections(images: Sequence[np.ndarray], truth: Sequence[Detections],
                    predictions: Dict[str, Sequence[Detections]], classes: Sequence[str], path: str,
                    score_threshold: float = 0.3) -> None:
    """A grid: one row per image, the ground truth then each initialisation's detections.

    Args:
        images (Sequence[np.ndarray]): RGB uint8 images (H, W, 3).
        truth (Sequence[Detections]): The ground-truth boxes of each image.
        predictions (dict[str, Sequence[Detections]]): Init label -> the detections of each image.
        classes (Sequence[str]): Class names, indexed by the labels.
        path (str): The PNG file to write.
        score_threshold (float): Detections below this confidence are not drawn. Defaults to 0.3.
    """
    titles = init_titles()
    columns = [('ground truth', truth)] + [(titles[label], dets) for label, dets in predictions.items()]
    palette = colormaps['tab10']
    figure = new_figure((2.6 * len(columns), 2.6 * len(images)))
    axes = figure.subplots(len(images), len(columns), squeeze=False)
    for row, image in enumerate(images):
        for column, (title, detections) in enumerate(columns):
            axis = axes[row][column]
            axis.imshow(image)
            axis.set_xticks([])
            axis.set_yticks([])
            if row == 0:
                axis.set_title(title, fontsize=9)
            found = detections[row]
            keep = np.ones(len(found.labels), bool) if found.scores is None else found.scores >= score_threshold
            for index in np.flatnonzero(keep):
                x1, y1, x2, y2 = found.boxes[index]
                colour = palette(int(found.labels[index]) % 10)
                axis.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, edgecolor=colour, linewidth=1.2))
                text = classes[int(found.labels[index])]
                if found.scores is not None:
                    text += f' {found.scores[index]:.2f}'
                axis.text(x1, y1 - 1, text, color='white', fontsize=5, bbox=dict(facecolor=colour, alpha=0.7, pad=0.5,
                                                                                 linewidth=0))
    figure.suptitle(f'Detection on test scenes: ground truth and predictions (score >= {score_threshold})',
                    fontsize=10)
    figure.tight_layout()
    save_png(figure, path)
