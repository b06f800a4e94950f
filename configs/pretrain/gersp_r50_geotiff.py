# GeRSP, the paper recipe, pre-trained on your own GeoTIFF scenes (16-bit, multi-band, 10,000+ px) instead of
# Million-AID: each sample is a random 1,000 px window of a scene (window_size), read from the tiles it needs
# (and from the scene's internal overviews, when it has them), its bands mapped to 8-bit RGB as `raster` says.
# Set the three values below for your data (docs/pretraining.md#pre-training-on-geotiff-scenes).
#   tools/dist_train.sh configs/pretrain/gersp_r50_geotiff.py 8
_base_ = './gersp_r50.py'

rs_data_root = 'data/scenes/'  # a folder of .tif scenes (scanned recursively), or of chips of them
# Which bands make R, G, B (1-based, as GDAL numbers them) and how their values map to 0-255: here the R, G,
# B of an R, G, B, NIR product with 12-bit values. Alternatives: value_range=(0, 10000) (reflectance x 10,000,
# Sentinel-2), percentiles=(2, 98) (per-window stretch); nodata: the file's GDAL nodata value, or nodata=...
raster = dict(bands=(1, 2, 3), bit_depth=12)
window_size = 1000  # views are drawn inside a random window of this size of each larger scene

rs_pipeline = [
    dict(type='LoadMoCoViews', num_views=2, window_size=window_size, raster=raster, **_base_.view_cfg),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(rs=dict(data_root=rs_data_root, pipeline=rs_pipeline)))
