# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch
from mmseg.evaluation import IoUMetric
from mmseg.registry import METRICS


@METRICS.register_module()
class ClassSubsetIoUMetric(IoUMetric):
    """mmseg's :class:`IoUMetric`, plus the class means over named subsets of the classes.

    The standard keys (``aAcc``, ``mIoU``, ``mAcc``, ``mFscore``, ...) are the means over all classes,
    exactly as :class:`IoUMetric` computes them. For every subset ``name`` the per-class scores of the
    requested ``iou_metrics`` are averaged again over the subset's classes only, under the key
    ``m<Score>_<name>`` (``mIoU_<name>``, ``mAcc_<name>``, ``mFscore_<name>``, ``mPrecision_<name>``,
    ``mRecall_<name>``, ``mDice_<name>``). Every pixel still counts: the subset only selects which
    per-class scores are averaged, as in the ISPRS Potsdam convention of reporting mean F1 and mIoU
    without the clutter class. Like :class:`IoUMetric`, a class whose score is undefined (NaN, e.g. a
    class absent from both prediction and ground truth for IoU) is left out of a mean.

    Args:
        class_subsets (dict[str, Sequence[str]]): Subset name -> names of its classes, which must be
            classes of the evaluated dataset (``dataset_meta['classes']``), e.g.
            ``dict(no_clutter=('impervious_surface', 'building', 'low_vegetation', 'tree', 'car'))``.
        **kwargs: Arguments of :class:`mmseg.evaluation.IoUMetric` (``iou_metrics``, ``ignore_index``,
            ``nan_to_num``, ``beta``, ...).

    Raises:
        ValueError: If ``class_subsets`` is empty, a subset name is not a plain identifier or a subset
            has no class or a repeated class; at evaluation, if a subset names a class the dataset
            does not have.
    """

    def __init__(self, class_subsets: Dict[str, Sequence[str]], **kwargs) -> None:
        super().__init__(**kwargs)
        if not class_subsets:
            raise ValueError('ClassSubsetIoUMetric: class_subsets is empty; use IoUMetric for the '
                             'all-class means only')
        for name, classes in class_subsets.items():
            if not str(name).isidentifier():
                raise ValueError(f'ClassSubsetIoUMetric: subset name {name!r} must be an identifier '
                                 '(it becomes part of the metric keys)')
            if isinstance(classes, str) or len(classes) == 0 or len(set(classes)) != len(classes):
                raise ValueError(f'ClassSubsetIoUMetric: class_subsets[{name!r}] must be a non-empty '
                                 f'sequence of distinct class names, got {classes!r}')
        self.class_subsets = {name: tuple(classes) for name, classes in class_subsets.items()}

    def subset_indices(self, class_names: Sequence[str]) -> Dict[str, List[int]]:
        """Map each subset to the indices of its classes in ``class_names``.

        Args:
            class_names (Sequence[str]): The dataset's classes, in label order.

        Returns:
            dict[str, list[int]]: Subset name -> class indices.

        Raises:
            ValueError: If a subset names a class missing from ``class_names``.
        """
        indices = {}
        for name, classes in self.class_subsets.items():
            unknown = [cls for cls in classes if cls not in class_names]
            if unknown:
                raise ValueError(f'ClassSubsetIoUMetric: class_subsets[{name!r}] names {unknown}, which '
                                 f'are not classes of the dataset {tuple(class_names)}')
            indices[name] = [list(class_names).index(cls) for cls in classes]
        return indices

    def compute_metrics(self, results: List[Tuple[torch.Tensor, ...]]) -> Dict[str, float]:
        """Compute the all-class metrics of :class:`IoUMetric` and the subset means.

        Args:
            results (list[tuple[Tensor, Tensor, Tensor, Tensor]]): Per image, the per-class areas of
                intersection, union, prediction and ground truth, each of shape (num_classes, ).

        Returns:
            dict[str, float]: The keys of :class:`IoUMetric` (percentages rounded to two decimals) and
            ``m<Score>_<subset>`` for every score and subset.
        """
        metrics = super().compute_metrics(results)
        if self.format_only:
            return metrics
        indices = self.subset_indices(self.dataset_meta['classes'])
        areas = [sum(area) for area in zip(*results)]
        per_class = self.total_area_to_metrics(*areas, self.metrics, self.nan_to_num, self.beta)
        per_class.pop('aAcc')
        for score, values in per_class.items():
            for name, subset in indices.items():
                metrics[f'm{score}_{name}'] = self._subset_mean(values, subset)
        return metrics

    @staticmethod
    def _subset_mean(values: np.ndarray, subset: List[int]) -> float:
        """Percentage mean of ``values[subset]`` ignoring NaN (NaN if all are NaN), rounded like IoUMetric."""
        selected = np.asarray(values, dtype=np.float64)[subset]
        if np.isnan(selected).all():
            return float('nan')
        return float(np.round(np.nanmean(selected) * 100, 2))
