# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import os
import os.path as osp
from collections import Counter
from typing import Dict, List, Optional, Sequence, Tuple, Union

from mmengine.fileio import list_from_file
from mmpretrain.datasets import CustomDataset
from mmpretrain.datasets.custom import find_folders, get_samples
from mmpretrain.registry import DATASETS

from ...fileio.image_files import IMAGE_EXTENSIONS

#: NWPU-RESISC45 (Cheng et al., 2017): the 45 official classes, in label order.
NWPU_RESISC45_CLASSES = (
    'airplane', 'airport', 'baseball_diamond', 'basketball_court', 'beach', 'bridge', 'chaparral', 'church',
    'circular_farmland', 'cloud', 'commercial_area', 'dense_residential', 'desert', 'forest', 'freeway',
    'golf_course', 'ground_track_field', 'harbor', 'industrial_area', 'intersection', 'island', 'lake',
    'meadow', 'medium_residential', 'mobile_home_park', 'mountain', 'overpass', 'palace', 'parking_lot',
    'railway', 'railway_station', 'rectangular_farmland', 'river', 'roundabout', 'runway', 'sea_ice', 'ship',
    'snowberg', 'sparse_residential', 'stadium', 'storage_tank', 'tennis_court', 'terrace',
    'thermal_power_station', 'wetland')

#: EuroSAT RGB (Helber et al., 2019): the 10 official classes, in label order.
EUROSAT_CLASSES = ('AnnualCrop', 'Forest', 'HerbaceousVegetation', 'Highway', 'Industrial', 'Pasture',
                   'PermanentCrop', 'Residential', 'River', 'SeaLake')


def scan_class_folders(root: str,
                       classes: Sequence[str],
                       extensions: Sequence[str] = IMAGE_EXTENSIONS) -> List[Tuple[str, int]]:
    """List the images of a class-folder dataset (``<root>/<class>/<image>``) with official labels.

    The folders and their images (recursively) are found by mmpretrain's :func:`find_folders` and
    :func:`get_samples`, which number the folders present; this function relabels them with the
    official order instead. Labels are indices into ``classes``, whichever class folders are present.
    Sub-folders that hold no image (e.g. a ``meta/`` folder of split lists) are skipped; a folder of
    images whose name is not a class is an error. As in mmpretrain's ``CustomDataset``, files whose name
    starts with ``.`` (e.g. macOS ``._*.jpg`` resource forks) are not images.

    Args:
        root (str): Folder holding one sub-folder per class.
        classes (Sequence[str]): The class names in label order.
        extensions (Sequence[str]): Image file extensions (case-insensitive).

    Returns:
        list[tuple[str, int]]: ``(relative POSIX path, label)`` sorted by label, then path.

    Raises:
        FileNotFoundError: If ``root`` is not a directory.
        ValueError: If a folder of images is not a class, or no image is found.
    """
    if not osp.isdir(root):
        raise FileNotFoundError(f'Class-folder dataset root {root!r} is not a directory')
    suffixes = tuple(ext.lower() for ext in extensions)
    folders, folder_to_idx = find_folders(root)
    found, _ = get_samples(root, folder_to_idx, is_valid_file=lambda name: name.lower().endswith(suffixes))
    image_counts = Counter(folders[index] for _, index in found)
    strays = sorted(set(image_counts) - set(classes))
    if strays:
        raise ValueError(f'{osp.join(root, strays[0])!r} holds {image_counts[strays[0]]} images but '
                         f'{strays[0]!r} is not a class of this dataset; expected folders named after the '
                         f'classes {tuple(classes)}')
    if not found:
        raise ValueError(f'No image ({", ".join(extensions)}) found in the class folders of {root!r}')
    class_to_idx = {name: idx for idx, name in enumerate(classes)}
    samples = [(path.replace(os.sep, '/'), class_to_idx[folders[index]]) for path, index in found]
    return sorted(samples, key=lambda sample: (sample[1], sample[0]))


class SceneClassificationDataset(CustomDataset):
    """A single-label scene classification dataset with a fixed official class list (``METAINFO``).

    Images are stored in class folders, ``<data_root>/<data_prefix>/<class>/<image>``. Labels always
    follow the official class order, whichever classes are present. Samples come from

    - ``ann_file`` when given: one ``<class>/<image> <label>`` per line, relative to the image folder
      (mmpretrain's annotation format, written by
      ``tools/dataset_converters/split_scene_classification.py``). Each entry's folder must be a class
      and its label that class's index; blank lines are ignored;
    - otherwise a scan of the class folders (:func:`scan_class_folders`).

    Args:
        data_root (str): Dataset root; ``data_prefix`` and ``ann_file`` are relative to it.
            Defaults to ''.
        data_prefix (str | dict): Image folder (holding the class folders), relative to ``data_root``.
            Defaults to '' (the class folders are in ``data_root``).
        ann_file (str): Optional annotation list. Defaults to '' (scan the folders).
        extensions (Sequence[str]): Image extensions kept when scanning. Defaults to
            :data:`IMAGE_EXTENSIONS`.
        metainfo (dict, optional): Meta information; defaults to the official ``classes``.
        **kwargs: Other arguments of :class:`mmpretrain.datasets.CustomDataset` (``pipeline``, ...).
    """

    METAINFO: Dict[str, tuple] = dict(classes=())

    def __init__(self,
                 data_root: str = '',
                 data_prefix: Union[str, dict] = '',
                 ann_file: str = '',
                 extensions: Sequence[str] = IMAGE_EXTENSIONS,
                 metainfo: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(
            data_root=data_root,
            data_prefix=data_prefix,
            ann_file=ann_file,
            with_label=True,
            extensions=extensions,
            metainfo=metainfo,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """Read ``ann_file`` or scan the class folders.

        Returns:
            list[dict]: ``dict(img_path=..., gt_label=...)`` per image.

        Raises:
            FileNotFoundError: If the image folder or ``ann_file`` does not exist.
            ValueError: If an entry or folder names an unknown class, a label disagrees with its class
                folder, or a line of ``ann_file`` is malformed.
        """
        if self.ann_file:
            samples = self._read_ann_file()
        else:
            samples = scan_class_folders(self.img_prefix, self.CLASSES, self.extensions)
        return [dict(img_path=osp.join(self.img_prefix, path), gt_label=label) for path, label in samples]

    def _read_ann_file(self) -> List[Tuple[str, int]]:
        """Parse and check ``ann_file`` against the class list."""
        name = type(self).__name__
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'{name}: ann_file {self.ann_file!r} not found')
        class_to_idx = self.class_to_idx
        samples = []
        for line_no, line in enumerate(list_from_file(self.ann_file), start=1):
            line = line.strip()
            if not line:
                continue
            fields = line.rsplit(' ', 1)
            if len(fields) != 2 or not fields[1].lstrip('-').isdigit():
                raise ValueError(f'{name}: {self.ann_file}, line {line_no}: expected '
                                 f"'<class>/<image> <label>', got {line!r}")
            path, label = fields[0].strip(), int(fields[1])
            parts = path.replace('\\', '/').split('/')
            if len(parts) < 2:
                raise ValueError(f'{name}: {self.ann_file}, line {line_no}: {path!r} is not inside a class '
                                 'folder; expected <class>/<image>')
            folder = parts[0]
            if folder not in class_to_idx:
                raise ValueError(f'{name}: {self.ann_file}, line {line_no}: unknown class {folder!r} in '
                                 f'{path!r}; expected one of {self.CLASSES}')
            if label != class_to_idx[folder]:
                raise ValueError(f'{name}: {self.ann_file}, line {line_no}: label {label} for {path!r}, '
                                 f'but class {folder!r} has label {class_to_idx[folder]}')
            samples.append((path, label))
        if not samples:
            raise ValueError(f'{name}: ann_file {self.ann_file!r} lists no image')
        return samples


@DATASETS.register_module()
class NWPURESISC45(SceneClassificationDataset):
    """`NWPU-RESISC45 <https://doi.org/10.1109/JPROC.2017.2675998>`_ scene classification dataset.

    31,500 RGB images of 256x256 pixels, 45 classes of 700 images each, in class folders
    (``airplane/airplane_001.jpg``). There is no official split; the usual protocols train on 10% or
    20% of each class and test on the rest (lists written by
    ``tools/dataset_converters/split_scene_classification.py nwpu45 ...``). Labels follow
    :data:`NWPU_RESISC45_CLASSES` (``airplane`` = 0, ``airport`` = 1, ...).

    Args:
        **kwargs: Arguments of :class:`SceneClassificationDataset`.
    """

    METAINFO = dict(classes=NWPU_RESISC45_CLASSES)


@DATASETS.register_module()
class EuroSAT(SceneClassificationDataset):
    """`EuroSAT <https://doi.org/10.1109/JSTARS.2019.2918242>`_ (RGB) land-cover classification dataset.

    27,000 Sentinel-2 RGB images of 64x64 pixels in 10 classes (2,000 to 3,000 each), in class
    folders (``AnnualCrop/AnnualCrop_1.jpg``; the ``2750/`` folder of the official ``EuroSAT.zip``).
    There is no official split; the usual protocol trains on 80% and tests on 20% (lists written by
    ``tools/dataset_converters/split_scene_classification.py eurosat ...``). Labels follow
    :data:`EUROSAT_CLASSES` (``AnnualCrop`` = 0, ..., ``SeaLake`` = 9).

    Args:
        **kwargs: Arguments of :class:`SceneClassificationDataset`.
    """

    METAINFO = dict(classes=EUROSAT_CLASSES)
