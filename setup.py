# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Packaging for gersp_mm.

mmcv 2.x has no wheel on PyPI: ``tools/setup_env.sh`` builds it (with its compiled ops) against the
installed torch before this package is installed. ``pip install -e .`` alone works on any environment
that already has mmcv 2.1.0.
"""
import os.path as osp
import re

from setuptools import find_packages, setup

ROOT = osp.dirname(osp.abspath(__file__))


def get_version() -> str:
    with open(osp.join(ROOT, 'gersp_mm', 'version.py'), encoding='utf-8') as f:
        return re.search(r"^__version__ = '([^']+)'", f.read(), re.M).group(1)


def parse_requirements(name: str) -> list:
    """Read ``requirements/<name>.txt``: one requirement per line, ``#`` comments ignored."""
    with open(osp.join(ROOT, 'requirements', f'{name}.txt'), encoding='utf-8') as f:
        lines = (line.split('#', 1)[0].strip() for line in f)
        return [line for line in lines if line]


def readme() -> str:
    with open(osp.join(ROOT, 'README.md'), encoding='utf-8') as f:
        return f.read()


setup(
    name='gersp_mm',
    version=get_version(),
    description='GeRSP remote-sensing pre-training and benchmarks for OpenMMLab 2.x',
    long_description=readme(),
    long_description_content_type='text/markdown',
    license='Apache License 2.0',
    packages=find_packages(include=('gersp_mm', 'gersp_mm.*')),
    python_requires='>=3.8',
    install_requires=parse_requirements('runtime'),
    extras_require={'tests': parse_requirements('tests')},
    classifiers=[
        'License :: OSI Approved :: Apache Software License',
        'Programming Language :: Python :: 3',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
        'Topic :: Scientific/Engineering :: Image Recognition',
    ],
    zip_safe=False,
)
