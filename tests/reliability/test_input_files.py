# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Bad input files met through the configs and tools a user runs: an error names the file."""
import io
import logging
import os
import shutil
import subprocess
import sys

import pytest
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS

from gersp_mm.engine import CrashSafeRunner
from gersp_mm.engine.batch_norm_check import BatchNormBatchError
from gersp_mm.pretrain.converters import make_file_list
from gersp_mm.pretrain.datasets.imagenet_wnids import imagenet_annotation_line
from gersp_mm.pretrain.datasets.natural_checks import NaturalDatasetError
from gersp_mm.pretrain.samplers.dual_source_index import DualSourceIndex
from tests.helpers import ROOT, run_main
from tests.tiny_configs import tiny_seg_config

NWPU = ROOT / 'tests/data/cls/nwpu'
RS_JPEG = ROOT / 'tests/data/pretrain/rs/airplane/airplane_001.jpg'
#: A Latin-1 file name ('café.jpg' from an old archive): not valid UTF-8.
LATIN1_NAME = b'caf\xe9.jpg'
NWPU_CONFIG = ROOT / 'configs/cls/nwpu45/resnet50-gersp_8xb32_nwpu45-20p.py'


def test_an_empty_image_in_a_classification_set_is_named(tmp_path):
    """A 0-byte file (an interrupted copy) among the NWPU images, read by the train and the val pipeline of the
    config in a process that imports only the config's custom_imports: the error names the file
    (LoadImageFromFile failed inside cv2.imdecode, '!buf.empty()', with no file name)."""
    root = tmp_path / 'nwpu'
    shutil.copytree(NWPU, root)
    empty = root / 'airport' / 'airport_009.jpg'
    empty.write_bytes(b'')
    (tmp_path / 'list.txt').write_text('airport/airport_009.jpg 1\n')
    script = f"""if True:
        from mmengine.config import Config
        from mmengine.registry import init_default_scope
        from mmengine.utils import import_modules_from_strings
        cfg = Config.fromfile({str(NWPU_CONFIG)!r})
        import_modules_from_strings(**cfg.custom_imports)
        init_default_scope(cfg.default_scope)
        from mmpretrain.registry import DATASETS
        for split in ('train', 'val'):
            dataset_cfg = cfg[split + '_dataloader'].dataset
            dataset_cfg.update(data_root={str(root)!r}, ann_file={str(tmp_path / 'list.txt')!r})
            try:
                DATASETS.build(dataset_cfg)[0]
            except Exception as err:
                print(split, type(err).__name__, err)
    """
    result = subprocess.run([sys.executable, '-c', script], cwd=ROOT, capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS='1'))
    lines = result.stdout.splitlines()
    assert [line.split(': ')[0] for line in lines] == [f'{split} ImageDecodeError Cannot decode image {empty}'
                                                      for split in ('train', 'val')], result.stdout + result.stderr


def _write_bytes_named(folder, name: bytes, data: bytes) -> None:
    with open(os.path.join(os.fsencode(folder), name), 'wb') as file:
        file.write(data)


def test_make_file_list_names_the_files_a_utf8_list_cannot_hold(tmp_path):
    root = tmp_path / 'MillionAID'
    (root / 'airport').mkdir(parents=True)
    shutil.copy(RS_JPEG, root / 'airport' / 'good.jpg')
    _write_bytes_named(root / 'airport', LATIN1_NAME, RS_JPEG.read_bytes())
    out = tmp_path / 'list.txt'
    result = run_main(make_file_list.main, root, out)
    assert result.returncode == 1
    assert (f"error: 1 file names under {str(root)!r} are not valid UTF-8, which the list (UTF-8) cannot hold: "
            'airport/caf\\xe9.jpg; rename them') in result.stderr, result.stderr
    assert not out.exists()


def test_the_skip_warning_of_an_unreadable_image_with_a_non_utf8_name_reaches_the_console(tmp_path):
    """bad_image_policy='skip' with a truncated image named in Latin-1: the warning, written to a UTF-8
    console, names it with the undecodable byte escaped (it was lost: '--- Logging error ---')."""
    rs_dir = tmp_path / 'rs'
    rs_dir.mkdir()
    good = RS_JPEG.read_bytes()
    (rs_dir / 'a_good.jpg').write_bytes(good)
    _write_bytes_named(rs_dir, b'b_' + LATIN1_NAME, good[:len(good) // 3])
    cfg = Config.fromfile(str(ROOT / 'configs/pretrain/gersp_r18_tiny.py')).train_dataloader.dataset
    cfg.rs.data_root = str(rs_dir)
    cfg.natural.data_root = str(ROOT / 'tests/data/pretrain/natural')
    cfg.bad_image_policy = 'skip'
    init_default_scope('mmpretrain')
    dataset = DATASETS.build(cfg)
    console = io.TextIOWrapper(io.BytesIO(), encoding='utf-8', write_through=True)  # errors='strict', as stdout
    handler = logging.StreamHandler(console)
    logger = MMLogger.get_instance('gersp_test_non_utf8_skip')
    logger.addHandler(handler)
    try:
        item = dataset[DualSourceIndex(1, 0, 0)]
    finally:
        logger.removeHandler(handler)
    assert item['data_samples'].rs_img_path.endswith('a_good.jpg')
    text = console.buffer.getvalue().decode('utf-8')
    assert 'Skipped unreadable remote-sensing image (1 skipped so far' in text
    assert f'{rs_dir}/b_caf\\xe9.jpg' in text, text


def test_an_imagenet_subset_as_the_natural_source_works_as_documented(tmp_path):
    """Two of ImageNet-1k's class folders as natural_data_root (docs/pretraining.md): the run stops with the
    command that writes meta/train.txt; after running it the source builds, labelled as in ImageNet-1k."""
    root = tmp_path / 'imagenet'
    shutil.copytree(ROOT / 'tests/data/pretrain/natural/train', root / 'train')
    cfg = Config.fromfile(str(ROOT / 'configs/pretrain/gersp_r50.py')).train_dataloader.dataset
    cfg.rs.data_root = str(ROOT / 'tests/data/pretrain/rs')
    cfg.natural.data_root = str(root)
    init_default_scope('mmpretrain')
    with pytest.raises(NaturalDatasetError) as info:
        DATASETS.build(cfg)
    command = str(info.value).split(' --imagenet-labels')[0].split(': python ')[-1] + ' --imagenet-labels'
    assert command == (f'tools/dataset_converters/make_file_list.py {root / "train"} {root / "meta/train.txt"} '
                       '--imagenet-labels')
    result = run_main(make_file_list.main, *command.split()[1:])  # the tool's main, in this process
    assert result.returncode == 0, result.stderr
    natural = DATASETS.build(cfg).natural
    labels = {info['img_path'].split('/')[-2]: int(info['gt_label']) for info in natural.load_data_list()}
    assert labels == {'n01440764': 0, 'n02102040': 217}  # tench and English springer in ImageNet-1k
    assert len(natural) == len(list((root / 'train').glob('*/*.JPEG')))


def test_a_file_list_with_imagenet_labels_refuses_a_folder_that_is_not_a_class():
    """make_file_list.py --imagenet-labels writes these lines: a folder that is no WordNet id is named."""
    assert imagenet_annotation_line('n02102040/n02102040_1004.JPEG') == 'n02102040/n02102040_1004.JPEG 217'
    with pytest.raises(ValueError, match=r"^/data/imagenet/train/dogs/a\.jpg is not in an ImageNet-1k class folder "
                                         r"\('dogs' is not one of the 1000 WordNet ids\)$"):
        imagenet_annotation_line('dogs/a.jpg', '/data/imagenet/train/')


def test_a_segmentation_batch_of_one_image_is_refused_before_the_first_iteration(tmp_path):
    """The DeepLabV3+ config with train_dataloader.batch_size=1 on one process: refused naming the key (it
    failed in the ASPP image pooling's BatchNorm: 'Expected more than 1 value per channel when training')."""
    cfg = Config.fromfile(str(tiny_seg_config(tmp_path)))
    cfg.merge_from_dict({'work_dir': str(tmp_path / 'work'), 'train_dataloader.batch_size': 1})
    runner = CrashSafeRunner.from_cfg(cfg)
    with pytest.raises(BatchNormBatchError) as info:
        runner.train()
    assert str(info.value).startswith('train_dataloader.batch_size=1 on 1 process: the ')
    assert 'e.g. decode_head.image_pool.1.bn)' in str(info.value)
    assert not list((tmp_path / 'work').glob('*.pth'))
