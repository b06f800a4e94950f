# ISPRS Potsdam evaluation: mIoU and mean F1 over all 6 classes (mmseg's IoUMetric keys mIoU, mFscore) and
# over the 5 classes without clutter (keys mIoU_no_clutter, mFscore_no_clutter), see configs/seg/README.md.
potsdam_evaluator = dict(
    type='ClassSubsetIoUMetric',
    iou_metrics=['mIoU', 'mFscore'],
    class_subsets=dict(no_clutter=('impervious_surface', 'building', 'low_vegetation', 'tree', 'car')))
