# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Write seeded, per-class stratified train/test lists for NWPU-RESISC45 and EuroSAT.

The command line of :mod:`gersp_mm.cls.scene_splits` (``--help`` gives the options and examples).
"""
from gersp_mm.cls.scene_splits import main

if __name__ == '__main__':
    main()
