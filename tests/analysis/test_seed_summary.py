# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The one summary type: mean and sample std over the runs, the same type for seed_stats and the downstream suite."""
import numpy as np
import pytest

from gersp_mm.analysis.seed_summary import Summary


@pytest.mark.parametrize('values', [(92.5, 92.75, 92.0), (66.0, 68.0), (0.1, 0.2, 0.4, 0.8, 1.6)])
def test_mean_and_sample_std_match_numpy(values):
    summary = Summary('nwpu-20p', 'gersp', 'accuracy/top1', tuple(range(len(values))), values)
    assert summary.mean == pytest.approx(np.mean(values))
    assert summary.std == pytest.approx(np.std(values, ddof=1))
    assert str(summary) == f'{np.mean(values):.2f} +- {np.std(values, ddof=1):.2f} (n={len(values)})'


def test_one_run_has_no_spread():
    summary = Summary(task='', init='', metric='mIoU', seeds=(), values=(49.5, ))
    assert (summary.mean, summary.std, str(summary)) == (49.5, 0.0, '49.50 +- 0.00 (n=1)')
