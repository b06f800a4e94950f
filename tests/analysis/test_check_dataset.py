# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The dataset check (gersp_mm.analysis.check_config) on a det (DIOR), a seg (Potsdam) and a cls (NWPU) config,
with the real sample files of tests/data; the numbers are checked against counts made from the files. The DIOR
check runs tools/analysis_tools/check_dataset.py end to end; the others run its function in this process."""
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pytest

from gersp_mm.analysis import check_config
from gersp_mm.cls.datasets import NWPU_RESISC45_CLASSES
from gersp_mm.det import DIOR_CLASSES
from tests.helpers import ROOT

TOOL = ROOT / 'tools' / 'analysis_tools' / 'check_dataset.py'
DATA = ROOT / 'tests' / 'data'
DIOR_XMLS = DATA / 'det' / 'dior' / 'Annotations'
DIOR_CONFIG = ROOT / 'configs' / 'det' / 'faster-rcnn_r50-gersp_fpn_2x_dior.py'
POTSDAM_CONFIG = ROOT / 'configs' / 'seg' / 'potsdam' / 'deeplabv3plus_r50-gersp-d8_4xb4-80k_potsdam-512x512.py'
NWPU_CONFIG = ROOT / 'configs' / 'cls' / 'nwpu45' / 'resnet50-gersp_8xb32_nwpu45-20p.py'
GREY = 120
SPLITS = dict(train=['00001', '00002'], val=['00003', '00013', '04137'], test=['11726', '11727', '23463'])


def run_tool(*args):
    """Run the tool; its exit code and its report (stdout; stderr, where warnings go, after a marker)."""
    result = subprocess.run([sys.executable, str(TOOL), *map(str, args)], capture_output=True, text=True, cwd=ROOT)
    return result.returncode, result.stdout + '\n--- stderr ---\n' + result.stderr


def check_in_process(capsys, config, options, **kwargs):
    """:func:`check_config` (what the tool runs) in this process: whether every split is fine, and the report."""
    reports = check_config(str(config), cfg_options=options, **kwargs)
    captured = capsys.readouterr()
    return all(report.ok for report in reports), captured.out + '\n--- stderr ---\n' + captured.err


def last_line(out):
    return out.split('\n--- stderr ---\n')[0].rstrip().splitlines()[-1]


def data_root_options(root, splits=('train', 'val', 'test')):
    """``--cfg-options`` (as the tool parses them) that read every split from ``root``."""
    return {f'{split}_dataloader.dataset.data_root': f'{root}/' for split in splits}


def write_dior(root: Path) -> Path:
    """The real DIOR XMLs (and the fixture of the real degenerate box of 04137) with flat grey 800x800 JPEGs."""
    (root / 'Annotations').mkdir(parents=True)
    (root / 'ImageSets' / 'Main').mkdir(parents=True)
    for img_id in sum(SPLITS.values(), []):
        source = DIOR_XMLS / f'{img_id}.xml'
        source = source if source.exists() else DATA / 'det' / 'dior' / 'degenerate' / f'{img_id}.xml'
        shutil.copy(source, root / 'Annotations')
        folder = root / ('JPEGImages-trainval' if int(img_id) <= 11725 else 'JPEGImages-test')
        folder.mkdir(exist_ok=True)
        cv2.imwrite(str(folder / f'{img_id}.jpg'), np.full((800, 800, 3), GREY, np.uint8))
    for split, ids in SPLITS.items():
        (root / 'ImageSets' / 'Main' / f'{split}.txt').write_text('\r\n'.join(ids) + '\r\n')
    return root


def names_in_xmls(ids):
    """Objects per class counted from the XML text (the independent reference)."""
    names = Counter()
    for img_id in ids:
        path = DIOR_XMLS / f'{img_id}.xml'
        path = path if path.exists() else DATA / 'det' / 'dior' / 'degenerate' / f'{img_id}.xml'
        names.update(name.decode() for name in re.findall(rb'<name>([^<]+)</name>', path.read_bytes()))
    return names


def per_class_lines(output, section):
    """``{class: count}`` of one split's section of the report."""
    block = output.split(f'== {section} ')[1].split('\n== ')[0]
    return {m[0]: int(m[1]) for m in re.findall(r'^    (\S+)\s+(\d+)$', block, flags=re.M)}


def test_det_config_report_and_pictures(tmp_path):
    root = write_dior(tmp_path / 'DIOR')
    options = [f'{key}={value}' for key, value in data_root_options(root).items()]
    code, out = run_tool(DIOR_CONFIG, '--show-dir', tmp_path / 'show', '--num', '2', '--cfg-options', *options)
    assert code == 0, out
    trainval = names_in_xmls(SPLITS['train'] + SPLITS['val'])
    assert per_class_lines(out, 'train') == {name: trainval.get(name, 0) for name in DIOR_CLASSES}
    test = names_in_xmls(SPLITS['test'])
    assert per_class_lines(out, 'val') == {name: test.get(name, 0) for name in DIOR_CLASSES}
    assert '== train (train_dataloader.dataset): DIORDataset, 5 images' in out
    assert f'  objects: {sum(trainval.values())} (0 ignored/difficult); images without objects: 0' in out
    assert ('  boxes fixed at load time: 1 degenerate widened to 1 px, 0 clipped to the image: 04137.xml obj 0 '
            '[162, 329, 162, 330] -> [161, 329, 162, 330]') in out
    assert '  image sizes (width x height: images): 800x800: 5' in out and 'missing files: none' in out
    assert '== test (test_dataloader.dataset): DIORDataset: the same dataset as val' in out
    assert last_line(out) == 'no problem found'

    pictures = sorted((tmp_path / 'show').glob('*.png'))
    assert [p.name for p in pictures] == ['train_000000_00001.png', 'train_000004_04137.png',
                                          'val_000000_11726.png', 'val_000002_23463.png']
    golf_field = cv2.imread(str(pictures[0]))  # 00001: golffield [133, 237, 684, 672] on a flat grey image
    assert golf_field.shape == (800, 800, 3)
    assert np.abs(golf_field[450, 133].astype(int) - GREY).max() > 40  # the box's left edge is drawn
    assert np.abs(golf_field[100, 50].astype(int) - GREY).max() < 5  # far from it the image is untouched


def test_det_missing_images_are_reported_all_at_once(tmp_path, capsys):
    root = write_dior(tmp_path / 'DIOR')
    for img_id in ('11726', '23463'):
        (root / 'JPEGImages-test' / f'{img_id}.jpg').unlink()
    reports = check_config(str(DIOR_CONFIG), cfg_options=data_root_options(root))
    assert [report.ok for report in reports] == [True, False, True]  # test is the same dataset as val
    out = capsys.readouterr().out
    assert ("== val (val_dataloader.dataset): DIORDataset: CANNOT BUILD\n  FileNotFoundError: DIORDataset (split "
            "'test'): 2 of 3 images not found: '11726', '23463'") in out
    assert out.rstrip().endswith('problems in val')


def test_seg_config_counts_pixels_as_training_loads_them(tmp_path, capsys):
    """The real Potsdam crop: label values {0: 24696, 1: 100557, 2: 64023, 3: 34357, 4: 30670, 5: 7841}
    (tests/data/seg/SOURCES.md); reduce_zero_label makes 0 ignored and k class k - 1."""
    root = tmp_path / 'potsdam'
    crop = '2_10_0_0_512_512.png'
    for split in ('train', 'val'):
        for kind in ('img_dir', 'ann_dir'):
            (root / kind / split).mkdir(parents=True)
            shutil.copy(DATA / 'seg' / 'potsdam' / kind / crop, root / kind / split)
    (root / 'ann_dir' / 'val' / crop).unlink()
    ok, out = check_in_process(capsys, POTSDAM_CONFIG, data_root_options(root, ('train', 'val')),
                               splits=['train', 'val'], show_dir=str(tmp_path / 'show'), num=1)
    assert not ok, out
    assert per_class_lines(out, 'train') == {'impervious_surface': 100557, 'building': 64023, 'low_vegetation': 34357,
                                             'tree': 30670, 'car': 7841, 'clutter': 0}
    assert 'labelled pixels: 237448; ignored pixels (label 255): 24696' in out
    assert 'image sizes (width x height: images): 512x512: 1' in out
    assert f"missing files: 1: {root / 'ann_dir' / 'val' / crop}" in out
    assert last_line(out) == 'problems in val'
    drawn = cv2.imread(str(tmp_path / 'show' / 'train_000000_2_10_0_0_512_512.png'))
    image = cv2.imread(str(DATA / 'seg' / 'potsdam' / 'img_dir' / crop))
    assert drawn.shape == image.shape and np.abs(drawn.astype(int) - image).mean() > 10  # the mask is blended in


def test_cls_config_counts_images_per_class_and_finds_missing_files(tmp_path, capsys):
    nwpu = DATA / 'cls' / 'nwpu'
    train, test = tmp_path / 'train.txt', tmp_path / 'test.txt'
    train.write_text('airplane/airplane_001.jpg 0\nairplane/airplane_002.jpg 0\nairport/airport_001.jpg 1\n')
    test.write_text('airport/airport_002.jpg 1\nairport/airport_404.jpg 1\nairplane/airplane_404.jpg 0\n')
    options = {f'{split}_dataloader.dataset.{key}': str(value) for split, ann_file in
               (('train', train), ('val', test), ('test', test))
               for key, value in (('data_root', nwpu), ('ann_file', ann_file))}
    ok, out = check_in_process(capsys, NWPU_CONFIG, options, show_dir=str(tmp_path / 'show'), num=5)
    assert not ok, out
    train_counts = per_class_lines(out, 'train')
    assert len(train_counts) == 45 and train_counts['airplane'] == 2 and train_counts['airport'] == 1
    assert sum(train_counts.values()) == 3
    assert '== train (train_dataloader.dataset): NWPURESISC45, 3 images' in out
    assert 'image sizes (width x height: images): 256x256: 3' in out
    assert (f"missing files: 2: {nwpu / 'airport' / 'airport_404.jpg'}, {nwpu / 'airplane' / 'airplane_404.jpg'}"
            in out)
    assert '== test (test_dataloader.dataset): NWPURESISC45: the same dataset as val' in out
    assert sorted(p.name for p in (tmp_path / 'show').glob('*.png')) == [
        'train_000000_airplane_001.png', 'train_000001_airplane_002.png', 'train_000002_airport_001.png',
        'val_000000_airport_002.png']


@pytest.mark.parametrize('kwargs', [dict(splits=['trainval']), dict(num=-1)])
def test_wrong_arguments_are_errors_before_anything_is_built(kwargs):
    with pytest.raises(ValueError, match=r"splits must be among \('train', 'val', 'test'\) and num >= 0"):
        check_config(str(DIOR_CONFIG), **kwargs)


def test_cls_classes_without_images_are_a_problem(tmp_path, capsys):
    """Every listed file present, but only 2 of the 45 NWPU classes have images (an incomplete download or
    split): a problem, with the empty classes named, not 'no problem found'."""
    nwpu = DATA / 'cls' / 'nwpu'
    images = sorted(path.relative_to(nwpu).as_posix() for path in nwpu.glob('*/*.jpg'))
    listed = tmp_path / 'list.txt'
    listed.write_text(''.join(f'{image} {NWPU_RESISC45_CLASSES.index(image.split("/")[0])}\n' for image in images))
    options = {f'{split}_dataloader.dataset.{key}': str(value) for split in ('train', 'val', 'test')
               for key, value in (('data_root', nwpu), ('ann_file', listed))}
    ok, out = check_in_process(capsys, NWPU_CONFIG, options, splits=['train'])
    assert not ok, out
    present = {image.split('/')[0] for image in images}
    empty = [name for name in NWPU_RESISC45_CLASSES if name not in present]
    assert len(empty) == 43
    assert f'  classes without images: 43: {", ".join(empty[:5])}, ... (38 more)' in out
    assert 'missing files: none' in out and 'unreadable images: none' in out
    assert last_line(out) == 'problems in train'
