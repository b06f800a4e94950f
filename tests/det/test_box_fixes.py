# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The load-time fix of boxes: clip to the image, widen a zero-length side to 1 px, name each fix."""
import pytest

from gersp_mm.det.datasets.box_fixes import BoxFix, box_outside_image, fit_box_to_image, summarize_box_fixes


@pytest.mark.parametrize('box, size, fixed, clipped, widened', [
    # the real degenerate DIOR boxes (04137 object 26, 08325): 1 px ending where written
    ((162, 329, 162, 330), (800, 800), [161, 329, 162, 330], False, True),
    ((1, 786, 1, 788), (800, 800), [0, 786, 1, 788], False, True),
    ((5, 7, 9, 7), (800, 800), [5, 6, 9, 7], False, True),  # zero height
    ((4, 4, 4, 4), (800, 800), [3, 3, 4, 4], False, True),  # a single pixel
    ((0, 5, 0, 9), (800, 800), [0, 5, 1, 9], False, True),  # at the left border: starts at 0
    ((800, 5, 800, 9), (800, 800), [799, 5, 800, 9], False, True),  # the last pixel column
    ((700, 600, 800, 800), (800, 800), [700, 600, 800, 800], False, False),  # ends at the border: unchanged
    ((790, 100, 810, 120), (800, 800), [790, 100, 800, 120], True, False),
    ((-3, 5, 10, 9), (800, 800), [0, 5, 10, 9], True, False),
    ((5, 770, 9, 800), (800, 782), [5, 770, 9, 782], True, False),  # a non-800 DIOR height
    ((5, 782, 9, 800), (800, 782), [5, 781, 9, 782], True, True),  # nothing left inside but the border row
])
def test_fit_box_to_image(box, size, fixed, clipped, widened):
    assert fit_box_to_image(box, *size) == (fixed, clipped, widened)
    assert not box_outside_image(box, *size)


@pytest.mark.parametrize('box', [(801, 5, 900, 9), (5, 801, 9, 900), (-9, 5, -1, 9), (5, -9, 9, -1)])
def test_boxes_entirely_outside_are_recognised(box):
    assert box_outside_image(box, 800, 800)


def test_summary_names_and_counts_each_kind():
    fixes = [BoxFix('04137.xml', 26, (162, 329, 162, 330), (161, 329, 162, 330), False, True),
             BoxFix('00594.xml', 3, (790, 1, 810, 9), (790, 1, 800, 9), True, False),
             BoxFix('P0001__0__0', 2, (5, 782, 9, 800), (5, 781, 9, 782), True, True)]
    assert summarize_box_fixes(fixes) == (
        '2 degenerate boxes widened to 1 px: 04137.xml obj 26 [162, 329, 162, 330] -> [161, 329, 162, 330], '
        'P0001__0__0 obj 2 [5, 782, 9, 800] -> [5, 781, 9, 782]; '
        '2 boxes clipped to the image: 00594.xml obj 3 [790, 1, 810, 9] -> [790, 1, 800, 9], '
        'P0001__0__0 obj 2 [5, 782, 9, 800] -> [5, 781, 9, 782]')
    many = [BoxFix(f'{i:05d}.xml', 0, (1, 1, 1, 2), (0, 1, 1, 2), False, True) for i in range(12)]
    summary = summarize_box_fixes(many, max_named=2)
    assert summary.startswith('12 degenerate boxes widened to 1 px: 00000.xml obj 0 [1, 1, 1, 2] -> [0, 1, 1, 2], '
                              '00001.xml obj 0') and summary.endswith(', and 10 more; 0 boxes clipped to the image')
    assert summarize_box_fixes([]) == ''
