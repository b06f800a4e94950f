# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import pytest
import torch

from gersp_mm.pretrain.models import KeyQueue


def reference_ring(length, initial, batches):
    """A ring buffer written the obvious way: one key at a time."""
    slots, ptr = [row.clone() for row in initial], 0
    for batch in batches:
        for key in batch:
            slots[ptr] = key
            ptr = (ptr + 1) % length
    return torch.stack(slots), ptr


@pytest.mark.parametrize('length,batch_sizes', [(10, [3, 3, 3, 3, 3]), (8, [8, 8]), (7, [2, 9, 1, 5]),
                                                (5, [12])])
def test_ring_buffer_matches_reference(length, batch_sizes):
    torch.manual_seed(0)
    queue = KeyQueue(length, 4)
    initial = queue.keys.clone()
    batches = [torch.randn(size, 4) for size in batch_sizes]
    for batch in batches:
        queue.enqueue(batch)
    expected, ptr = reference_ring(length, initial, batches)
    torch.testing.assert_close(queue.keys, expected)
    assert int(queue.ptr) == ptr


def test_initial_keys_are_unit_vectors():
    queue = KeyQueue(6, 3)
    torch.testing.assert_close(queue.keys.norm(dim=1), torch.ones(6))
    with pytest.raises(ValueError):
        KeyQueue(0, 3)
