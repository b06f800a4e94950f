# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
import torch
import torch.nn.functional as F
from mmengine.dist import all_gather
from torch import nn


class KeyQueue(nn.Module):
    """A ring buffer of contrastive keys (the negatives of MoCo-style InfoNCE).

    Unlike the released GeRSP/MoCo code, the global batch size does not have to divide the queue
    length: writes wrap around the end of the buffer (defect D4). The keys and the write pointer are
    persistent buffers, so checkpoints save and restore the queue.

    Args:
        length (int): Number of keys kept (K).
        dim (int): Dimension of each key (C).
    """

    def __init__(self, length: int, dim: int) -> None:
        super().__init__()
        if length <= 0 or dim <= 0:
            raise ValueError(f'KeyQueue needs a positive length and dim, got length={length}, dim={dim}')
        self.length = length
        self.register_buffer('keys', F.normalize(torch.randn(length, dim), dim=1))
        self.register_buffer('ptr', torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def enqueue(self, keys: torch.Tensor, gather: bool = True) -> None:
        """Write a batch of keys at the pointer, wrapping around the end of the buffer.

        Args:
            keys (Tensor): Keys of shape (N, C) from this process.
            gather (bool): Gather the keys of every rank first (rank order), as all ranks must hold
                the same queue. Defaults to True.
        """
        if gather:
            keys = torch.cat(all_gather(keys.contiguous()), dim=0)
        num = keys.size(0)
        if num > self.length:  # only the newest `length` keys survive a write this large
            keys, start = keys[-self.length:], int(self.ptr) + num - self.length
            num = self.length
        else:
            start = int(self.ptr)
        slots = (start + torch.arange(num, device=keys.device)) % self.length
        # Out of place: the keys read by this step's loss (its negatives, which autograd may keep for the
        # backward pass, as torch.compile's partitioner does) stay intact until the backward pass.
        self.keys = self.keys.index_copy(0, slots, keys.to(self.keys.dtype))
        self.ptr.fill_((start + num) % self.length)
