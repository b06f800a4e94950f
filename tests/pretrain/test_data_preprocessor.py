# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import pytest
import torch
from mmengine.dataset import default_collate, pseudo_collate

from gersp_mm.pretrain.models import DualSourceDataPreprocessor

RS_MEAN, RS_STD = (10.0, 20.0, 30.0), (2.0, 4.0, 8.0)
NAT_MEAN, NAT_STD = (100.0, 110.0, 120.0), (5.0, 6.0, 7.0)


def samples(n=3, size=4):
    gen = torch.Generator().manual_seed(0)
    return [dict(inputs=[torch.randint(0, 256, (3, size, size), generator=gen, dtype=torch.uint8)
                         for _ in range(3)]) for _ in range(n)]


def reference(batch, view, mean, std):
    """Stack view ``view`` of every sample, BGR -> RGB, then (x - mean) / std per channel."""
    x = torch.stack([s['inputs'][view] for s in batch]).double()[:, [2, 1, 0]]
    return ((x - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)).float()


@pytest.mark.parametrize('collate', [default_collate, pseudo_collate])
def test_each_source_is_normalised_with_its_own_statistics(collate):
    preprocessor = DualSourceDataPreprocessor(mean=RS_MEAN, std=RS_STD, natural_mean=NAT_MEAN,
                                              natural_std=NAT_STD, to_rgb=True)
    batch = samples()
    views = preprocessor(collate(batch))['inputs']
    assert [v.shape for v in views] == [(3, 3, 4, 4)] * 3
    for index, (mean, std) in enumerate([(RS_MEAN, RS_STD), (RS_MEAN, RS_STD), (NAT_MEAN, NAT_STD)]):
        torch.testing.assert_close(views[index], reference(batch, index, mean, std))


def test_wrong_number_of_views_is_an_error():
    preprocessor = DualSourceDataPreprocessor()
    with pytest.raises(ValueError, match='rs_view_1'):
        preprocessor(dict(inputs=[torch.zeros(1, 3, 2, 2, dtype=torch.uint8)]))
