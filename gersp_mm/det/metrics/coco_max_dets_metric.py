# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import os.path as osp
import tempfile
from typing import Dict, Optional

import numpy as np
from mmdet.datasets.api_wrappers import COCO, COCOeval
from mmdet.evaluation import CocoMetric
from mmdet.registry import METRICS
from mmengine.fileio import load
from mmengine.logging import MMLogger

#: The reported keys (as ``bbox_<item>``) and the (IoU threshold, area range) each averages over.
AP_ITEMS = {'mAP': (None, 'all'), 'mAP_50': (0.5, 'all'), 'mAP_75': (0.75, 'all'),
            'mAP_s': (None, 'small'), 'mAP_m': (None, 'medium'), 'mAP_l': (None, 'large')}


@METRICS.register_module()
class CocoMaxDetsMetric(CocoMetric):
    """COCO box AP over up to ``max_dets`` detections per image and class, for scenes with many objects.

    What the host gets wrong for remote sensing: pycocotools evaluates at most ``maxDets`` detections of
    each class in each image, and its ``summarize()`` computes the headline AP (``coco/bbox_mAP``, IoU
    0.50:0.95) at ``maxDets=100`` whatever mmdet's ``CocoMetric(proposal_nums=...)`` says
    (``proposal_nums`` only sets the ``maxDets`` of the other numbers). A remote-sensing image easily
    holds more than 100 objects of one class (vehicles in a parking lot, ships in a harbour; 172 DIOR
    test images hold more than 100 objects), so a detector keeping 600 boxes per image, all correct, is
    scored below 1. This metric runs the same pycocotools evaluation (ground truth from the dataset's
    annotations when ``ann_file`` is not given, ``ignore_flag`` as crowd regions) and reads every AP
    from its precision table at ``maxDets = max_dets``; with at most 100 detections per image and class
    it gives exactly ``CocoMetric``'s numbers.

    Keys (same names as ``CocoMetric``): ``coco/bbox_mAP``, ``bbox_mAP_50``, ``bbox_mAP_75``,
    ``bbox_mAP_s``, ``bbox_mAP_m``, ``bbox_mAP_l``, all at ``max_dets`` detections per image and class.

    Args:
        max_dets (int): Detections per image and class evaluated; the detector's ``max_per_img`` (per
            image, all classes) makes sure no kept detection is left out. Defaults to 600.
        **kwargs: Other arguments of :class:`mmdet.evaluation.CocoMetric` (``ann_file``, ``iou_thrs``,
            ``format_only``, ``outfile_prefix``, ``backend_args``, ``collect_device``, ``prefix``).
            Only the ``'bbox'`` metric is supported.
    """

    def __init__(self, max_dets: int = 600, **kwargs) -> None:
        if kwargs.pop('metric', 'bbox') not in ('bbox', ['bbox']):
            raise ValueError(f'{type(self).__name__} evaluates boxes only (metric="bbox")')
        for unsupported in ('proposal_nums', 'metric_items', 'classwise', 'use_mp_eval'):
            if unsupported in kwargs:
                raise ValueError(f'{type(self).__name__}: {unsupported!r} is not supported (use max_dets)')
        if not (isinstance(max_dets, int) and max_dets > 0):
            raise ValueError(f'{type(self).__name__}: max_dets must be a positive int, got {max_dets!r}')
        super().__init__(metric='bbox', proposal_nums=(max_dets, ), **kwargs)
        self.max_dets = max_dets

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Evaluate the processed results (pairs of ground truth and predictions, see ``CocoMetric``).

        Returns:
            dict[str, float]: ``bbox_<item>`` for the items of :data:`AP_ITEMS`, rounded to 3 decimals
            as ``CocoMetric`` does (-1.0 where there is no ground truth of that kind).
        """
        logger = MMLogger.get_current_instance()
        gts, preds = zip(*results)
        with tempfile.TemporaryDirectory() as tmp_dir:
            outfile_prefix = self.outfile_prefix or osp.join(tmp_dir, 'results')
            if self._coco_api is None:
                logger.info('Converting ground truth to coco format...')
                self._coco_api = COCO(self.gt_to_coco_json(gt_dicts=gts, outfile_prefix=outfile_prefix))
            if self.cat_ids is None:
                self.cat_ids = self._coco_api.get_cat_ids(cat_names=self.dataset_meta['classes'])
            if self.img_ids is None:
                self.img_ids = self._coco_api.get_img_ids()
            result_files = self.results2json(preds, outfile_prefix)
            if self.format_only:
                logger.info(f'results are saved in {osp.dirname(outfile_prefix)}')
                return {}
            predictions = load(result_files['bbox'])
        if not predictions:
            logger.error('The testing results of the whole dataset is empty.')
            return {}
        coco_eval = COCOeval(self._coco_api, self._coco_api.loadRes(predictions), 'bbox')
        coco_eval.params.catIds = self.cat_ids
        coco_eval.params.imgIds = self.img_ids
        coco_eval.params.maxDets = [self.max_dets]
        coco_eval.params.iouThrs = self.iou_thrs
        coco_eval.evaluate()
        coco_eval.accumulate()
        metrics = {f'bbox_{item}': round(average_precision(coco_eval, iou_thr, area), 3)
                   for item, (iou_thr, area) in AP_ITEMS.items()}
        logger.info(f'bbox_mAP_copypaste (at most {self.max_dets} detections per image and class): '
                    + ' '.join(f'{value:.3f}' for value in metrics.values()))
        return metrics


def average_precision(coco_eval: COCOeval, iou_thr: Optional[float] = None, area: str = 'all',
                      max_dets_index: int = -1) -> float:
    """One AP of an accumulated ``COCOeval``, computed as pycocotools' ``summarize()`` does.

    Args:
        coco_eval (COCOeval): After ``evaluate()`` and ``accumulate()``.
        iou_thr (float, optional): One IoU threshold of ``params.iouThrs``; None averages over all.
        area (str): An area range label of ``params.areaRngLbl`` (``'all'``, ``'small'``, ...).
        max_dets_index (int): Index into ``params.maxDets``. Defaults to the last (largest).

    Returns:
        float: The mean precision over the selected thresholds, recall points and classes (entries
        without ground truth, -1 in the table, left out); -1.0 when none is left.
    """
    params = coco_eval.params
    precision = coco_eval.eval['precision']  # (iou thresholds, recall points, classes, areas, max dets)
    selected = precision[:, :, :, params.areaRngLbl.index(area), max_dets_index]
    if iou_thr is not None:
        selected = selected[np.isclose(np.asarray(params.iouThrs), iou_thr)]
    valid = selected[selected > -1]
    return float(np.mean(valid)) if valid.size else -1.0

