# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Timing on a device for the speed benchmarks: rates over synchronised steps, and the peak device memory.

On a CPU device the synchronisation is a no-op and the peak memory is None.
"""
import time
from typing import Callable, Optional

import torch


def synchronize(device: torch.device) -> None:
    """Wait for the device's queued work (CUDA)."""
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def reset_peak_memory(device: torch.device) -> None:
    """Free the cached blocks and restart the peak-memory count (CUDA)."""
    if device.type == 'cuda':
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def peak_memory_gib(device: torch.device) -> Optional[float]:
    """Peak allocated device memory (GiB) since the last :func:`reset_peak_memory`; None on the CPU."""
    return torch.cuda.max_memory_allocated(device) / 2**30 if device.type == 'cuda' else None


def timed_rate(step: Callable[[], None], items_per_step: int, iters: int, warmup: int,
               device: torch.device) -> float:
    """Items per second over ``iters`` steps after ``warmup`` steps."""
    for _ in range(warmup):
        step()
    synchronize(device)
    start = time.perf_counter()
    for _ in range(iters):
        step()
    synchronize(device)
    return items_per_step * iters / (time.perf_counter() - start)
