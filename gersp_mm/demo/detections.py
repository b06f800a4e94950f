# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Ground truth and predictions of a trained detector on a few evaluation images, for the demo's picture grid."""
from typing import List, NamedTuple, Optional, Sequence, Tuple

import mmcv
import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from mmengine.runner import Runner


class Detections(NamedTuple):
    """The boxes of one image.

    Attributes:
        boxes (np.ndarray): (N, 4) ``x1, y1, x2, y2`` in pixels of the original image.
        labels (np.ndarray): (N, ) class indices.
        scores (np.ndarray, optional): (N, ) confidences; None for the ground truth.
    """

    boxes: np.ndarray
    labels: np.ndarray
    scores: Optional[np.ndarray] = None


def ground_truth(runner: Runner, indices: Sequence[int]) -> Tuple[List[np.ndarray], List[Detections]]:
    """The RGB images and ground-truth boxes of samples of the runner's evaluation dataset.

    Args:
        runner (Runner): A detection runner that has evaluated (its ``val_loop`` is built).
        indices (Sequence[int]): Sample indices in the evaluation dataset.

    Returns:
        tuple[list[np.ndarray], list[Detections]]: The images (H, W, 3) uint8 and their boxes.
    """
    dataset = runner.val_loop.dataloader.dataset
    images, truth = [], []
    for index in indices:
        info = dataset.get_data_info(index)
        images.append(mmcv.imread(info['img_path'], channel_order='rgb'))
        instances = info['instances']
        truth.append(Detections(np.array([instance['bbox'] for instance in instances], np.float32).reshape(-1, 4),
                                np.array([instance['bbox_label'] for instance in instances], np.int64)))
    return images, truth


def predict(runner: Runner, indices: Sequence[int]) -> List[Detections]:
    """The trained detector's predictions on samples of its evaluation dataset, through its test pipeline.

    Args:
        runner (Runner): A trained detection runner whose ``val_loop`` is built.
        indices (Sequence[int]): Sample indices in the evaluation dataset.

    Returns:
        list[Detections]: Boxes in original image pixels, labels and scores of each sample.
    """
    dataset = runner.val_loop.dataloader.dataset
    model = runner.model
    model.eval()
    predictions = []
    with torch.no_grad():
        for index in indices:
            result = model.test_step(pseudo_collate([dataset[index]]))[0].pred_instances
            predictions.append(Detections(result.bboxes.cpu().numpy(), result.labels.cpu().numpy(),
                                          result.scores.cpu().numpy()))
    return predictions
