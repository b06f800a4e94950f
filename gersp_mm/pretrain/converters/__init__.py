# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Dataset converters of pre-training, one module per tool of ``tools/dataset_converters/`` (its command line,
``main(argv)``, and the conversion or the modules beside it that do it):

- :mod:`.make_file_list`: the sorted list of images under a folder, for ``UnlabeledImageFolder(ann_file=...)``
  (``--imagenet-labels``: mmpretrain's ``meta/train.txt`` of a subset of ImageNet-1k's class folders);
- :mod:`.pre_resize`: an image collection resized once to a maximum side (:mod:`.image_resizing`);
- :mod:`.chip_scenes`: large GeoTIFF / TIFF scenes cut into georeferenced chips (:mod:`.chipping`).

Not imported by :mod:`gersp_mm.pretrain`: they register nothing.
"""
