# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""benchmarks/gpu_throughput.py, the GPU throughput benchmark, runs end to end on the CPU with tiny sizes."""
import json
import os
import subprocess
import sys

from tests.helpers import ROOT


def test_gpu_throughput_benchmark_runs_tiny_on_cpu(tmp_path):
    out = tmp_path / 'report.json'
    result = subprocess.run([sys.executable, 'benchmarks/gpu_throughput.py', '--device', 'cpu', '--tiny',
                             '--out', str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report['resnet50_bf16']['images_per_s'] > 0
    for variant in ('gersp_on_device', 'gersp_cpu_loader', 'gersp_gpu_path'):
        assert report[variant]['samples_per_s'] > 0, variant
        assert report['fraction_of_ceiling'][variant] > 0, variant
        assert f'| {variant} |' in result.stdout
    assert report['gersp_gpu_path']['preprocessor_samples_per_s'] > 0
    differences = report['gpu_path_mean_abs_diff_to_cpu_reference']
    assert differences and all(0 <= difference < 1.0 for difference in differences.values()), differences
