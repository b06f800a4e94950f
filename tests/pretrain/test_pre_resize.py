# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The offline pre-resize tool on real images: outputs, file list, resume, failures, and the rule for
when pre-resizing leaves the training views at full resolution."""
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from gersp_mm.pretrain.converters.image_resizing import (
    MANIFEST_NAME,
    min_crop_side,
    pre_resize_folder,
    smallest_lossless_max_side,
)
from gersp_mm.pretrain.datasets import EncodedImage, UnlabeledImageFolder, decode_uint8_bgr
from gersp_mm.pretrain.datasets.transforms import MoCoViewConfig, apply_view_params, draw_view_params
from tests.helpers import AERIAL_JPEG, ROOT, SCENE_JPEG

TOOL = ROOT / 'tools' / 'dataset_converters' / 'pre_resize.py'


@pytest.fixture
def collection(tmp_path):
    """A nested folder of real and odd images: big, small, EXIF-rotated, 16-bit PNG (refused), truncated."""
    src = tmp_path / 'src'
    (src / 'a' / 'b').mkdir(parents=True)
    (src / 'c').mkdir()
    (src / 'a' / 'big.jpg').write_bytes(AERIAL_JPEG.read_bytes())
    (src / 'a' / 'b' / 'small.jpg').write_bytes(SCENE_JPEG.read_bytes())
    with Image.open(AERIAL_JPEG) as image:
        upright = image.convert('RGB').crop((0, 0, 800, 500))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated by 90 degrees: training sees it upright, 800 wide and 500 high
    upright.transpose(Image.Transpose.ROTATE_90).save(src / 'c' / 'rotated.jpg', quality=95, exif=exif.tobytes())
    gray16 = (np.asarray(upright.convert('L'))[:, :600].astype(np.uint16) * 257)
    Image.fromarray(gray16).save(src / 'c' / 'sixteen.png')
    (src / 'c' / 'truncated.jpg').write_bytes(AERIAL_JPEG.read_bytes()[:30000])
    return src


def test_lossless_rule():
    assert [smallest_lossless_max_side(a) for a in (1, 4 / 3, 2)] == [579, 668, 818]
    assert min_crop_side(579, 579) >= 224 > min_crop_side(578, 578)
    assert smallest_lossless_max_side(1, MoCoViewConfig(output_size=64, crop_scale=(0.5, 1.0))) == 105


def test_tool_writes_resizes_copies_lists_and_resumes(collection, tmp_path):
    out = tmp_path / 'out'
    run = subprocess.run([sys.executable, str(TOOL), str(collection), str(out), '--max-side', '400',
                          '--workers', '2'], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1 and 'truncated.jpg' in run.stderr  # the bad file is named, and not listed
    # a 16-bit PNG needs a band mapping (its high byte alone is black for 12-bit data): refused by name
    assert 'sixteen.png: a 16-bit PNG' in run.stderr and 'chip_scenes.py' in run.stderr
    assert 'resized 2, copied 1' in run.stdout
    listed = (out / 'file_list.txt').read_text().splitlines()
    assert listed == ['a/big.jpg', 'a/b/small.jpg', 'c/rotated.jpg']
    assert (out / 'a' / 'b' / 'small.jpg').read_bytes() == SCENE_JPEG.read_bytes()  # small enough: unchanged bytes
    sizes = {p: EncodedImage((out / p).read_bytes(), p).size_hw for p in listed}
    assert sizes == {'a/big.jpg': (400, 400), 'a/b/small.jpg': (256, 256), 'c/rotated.jpg': (250, 400)}
    with Image.open(out / 'c' / 'rotated.jpg') as image:
        assert image.getexif().get(0x0112) is None  # written upright
    # The resized content is the source's, as training decodes it.
    original = decode_uint8_bgr((collection / 'c' / 'rotated.jpg').read_bytes(), 'rotated.jpg')
    small = np.asarray(Image.fromarray(original).resize((400, 250), Image.Resampling.LANCZOS), np.float64)
    written = decode_uint8_bgr((out / 'c' / 'rotated.jpg').read_bytes(), 'x')
    assert np.abs(written - small).mean() < 4  # JPEG q=90 of fine aerial detail
    assert np.abs(written - small[::-1, ::-1]).mean() > 15  # (the orientation matters)
    dataset = UnlabeledImageFolder(data_root=str(out), ann_file='file_list.txt')
    assert len(dataset) == 3
    assert not [p for p in out.rglob('*') if p.name.startswith('.tmp-')]  # nothing half-written

    # Resume: finished files are kept (not rewritten), missing ones are made.
    stamp = (out / 'a' / 'big.jpg').stat().st_mtime_ns
    (out / 'c' / 'rotated.jpg').unlink()
    summary = pre_resize_folder(str(collection), str(out), 400, workers=0, progress=False)
    assert (summary.resized, summary.copied, summary.existing, len(summary.failed)) == (1, 0, 2, 2)
    assert (out / 'a' / 'big.jpg').stat().st_mtime_ns == stamp
    assert json.loads((out / MANIFEST_NAME).read_text()) == dict(max_side=400, quality=90)
    with pytest.raises(ValueError, match='max_side'):
        pre_resize_folder(str(collection), str(out), 500, workers=0, progress=False)


def test_views_keep_full_resolution_at_the_lossless_max_side(tmp_path):
    """At the rule's max side the views of the resized image match the original's; well below it they do not."""
    src = tmp_path / 'src'
    src.mkdir()
    (src / 'x.jpg').write_bytes(AERIAL_JPEG.read_bytes())
    original = decode_uint8_bgr(AERIAL_JPEG.read_bytes(), 'x')[..., ::-1]
    rng = np.random.default_rng(0)
    views = [draw_view_params(rng, (800, 800)) for _ in range(6)]
    errors = {}
    for max_side in (smallest_lossless_max_side(1), 224):
        out = tmp_path / str(max_side)
        pre_resize_folder(str(src), str(out), max_side, quality=95, workers=0, progress=False)
        resized = decode_uint8_bgr((out / 'x.jpg').read_bytes(), 'x')[..., ::-1]
        scale = max_side / 800  # apply_view_params reads the full-resolution crop at this scale
        errors[max_side] = np.mean([np.abs(apply_view_params(np.ascontiguousarray(resized), v, scale).astype(float)
                                           - apply_view_params(np.ascontiguousarray(original), v)).mean()
                                    for v in views])
    assert errors[579] < 2.0 and errors[224] > 1.5 * errors[579]
