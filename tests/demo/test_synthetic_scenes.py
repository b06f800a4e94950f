# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The demo's synthetic datasets: a function of the seed, byte for byte, readable by the repository's datasets."""
import hashlib
from pathlib import Path

from mmengine.registry import init_default_scope
from mmpretrain.datasets import ImageNet

from gersp_mm.cls import NWPU_RESISC45_CLASSES, NWPURESISC45
from gersp_mm.demo import DET_CLASSES, NATURAL_CLASSES, SCENE_CLASSES, DemoDataSizes, write_demo_datasets
from gersp_mm.det import DIOR_CLASSES, DIORDataset
from gersp_mm.pretrain import UnlabeledImageFolder

SMALL = DemoDataSizes(rs_images=10, natural_per_class=3, det_train=5, det_val=2, det_test=5, scene_train_per_class=2,
                      scene_test_per_class=3)
#: SHA-256 over the relative paths and bytes of every file that write_demo_datasets(seed=5, sizes=SMALL) writes,
#: recorded with the single-module renderer (gersp_mm/demo/synthetic_scenes.py of commit 442637c) before its
#: split into grounds/objects/scenes/patterns/writers: the split must not change one byte. Change it only when
#: the demo data is changed on purpose (the README's demo numbers then change too).
SMALL_SEED5_DIGEST = 'ebd74035ff57c23a335eec29fe5cb5461a533d04f8121c353663c65a31e5107f'


def file_hashes(root: Path) -> dict:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob('*')) if path.is_file()}


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for name, file_hash in sorted(file_hashes(root).items()):
        digest.update(f'{name}\0{file_hash}\n'.encode())
    return digest.hexdigest()


def test_demo_data_is_the_same_bytes_as_before_the_split_into_modules(tmp_path):
    write_demo_datasets(str(tmp_path), seed=5, sizes=SMALL)
    assert tree_digest(tmp_path) == SMALL_SEED5_DIGEST


def test_demo_data_is_a_function_of_the_seed(tmp_path):
    first = write_demo_datasets(str(tmp_path / 'a'), seed=5, sizes=SMALL)
    write_demo_datasets(str(tmp_path / 'b'), seed=5, sizes=SMALL)
    write_demo_datasets(str(tmp_path / 'c'), seed=6, sizes=SMALL)
    hashes = {name: file_hashes(tmp_path / name) for name in 'abc'}
    assert hashes['a'] == hashes['b']
    assert hashes['a'].keys() == hashes['c'].keys()
    images = [name for name in hashes['a'] if name.lower().endswith(('.jpg', '.jpeg'))]
    assert len(images) == 10 + 8 * 3 + 12 + 8 * 5
    assert all(hashes['a'][name] != hashes['c'][name] for name in images)
    # a larger dataset starts with the same images
    bigger = write_demo_datasets(str(tmp_path / 'd'), seed=5, sizes=SMALL._replace(rs_images=20))
    assert (Path(bigger.million_aid) / 'P0000010.jpg').read_bytes() == \
        (Path(first.million_aid) / 'P0000010.jpg').read_bytes()


def test_demo_data_loads_through_the_repository_datasets(tmp_path):
    assert set(DET_CLASSES) <= set(DIOR_CLASSES) and set(SCENE_CLASSES) <= set(NWPU_RESISC45_CLASSES)
    roots = write_demo_datasets(str(tmp_path), seed=0, sizes=SMALL)

    init_default_scope('mmdet')
    trainval = DIORDataset(data_root=roots.dior, split='trainval')
    test = DIORDataset(data_root=roots.dior, split='test', test_mode=True)
    assert [info['img_id'] for info in trainval] == [f'{i:05d}' for i in range(1, 8)]
    assert [info['img_id'] for info in test] == [f'{i:05d}' for i in range(11726, 11731)]
    assert b'\r\n' in (Path(roots.dior) / 'Annotations' / '00001.xml').read_bytes()
    labels = set()
    for info in [*trainval, *test]:
        assert info['width'] == info['height'] == SMALL.rs_size and info['instances']
        for instance in info['instances']:
            xmin, ymin, xmax, ymax = instance['bbox']
            assert 0 <= xmin < xmax <= SMALL.rs_size and 0 <= ymin < ymax <= SMALL.rs_size
            labels.add(DIOR_CLASSES[instance['bbox_label']])
    assert labels <= set(DET_CLASSES) and len(labels) >= 4

    init_default_scope('mmpretrain')
    train = NWPURESISC45(data_root=roots.nwpu, ann_file='meta/train.txt')
    scanned = NWPURESISC45(data_root=roots.nwpu)
    assert len(train) == 8 * 2 and len(scanned) == 8 * 5
    assert {NWPU_RESISC45_CLASSES[train.get_data_info(i)['gt_label']] for i in range(len(train))} == set(SCENE_CLASSES)

    natural_classes = tuple(name for _, name in NATURAL_CLASSES)
    natural = ImageNet(data_root=roots.imagenet, split='train', metainfo=dict(classes=natural_classes))
    assert len(natural) == 8 * 3 and natural.ann_file.endswith('meta/train.txt')
    wnid = NATURAL_CLASSES[1][0]
    assert natural.get_data_info(3)['img_path'].endswith(f'train/{wnid}/{wnid}_1.JPEG')
    assert natural.get_data_info(3)['gt_label'] == 1

    unlabeled = UnlabeledImageFolder(data_root=roots.million_aid)
    assert len(unlabeled) == 10 and unlabeled.get_data_info(0)['img_path'].endswith('P0000001.jpg')
