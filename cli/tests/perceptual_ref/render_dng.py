"""Renders DNG frames as an editor's reference would show them: rawpy (LibRaw) develops each
frame (camera white balance, sRGB, 8 bits, half size), the picture is cut to the DNG's default
crop (LibRaw develops the whole active area; editing systems show the default crop), Pillow
halves it again and writes PNG.

argv: <output folder> <dng>...; frame i (from 1, as ffmpeg numbers) is written as %06d.png.
"""
import os
import sys

import rawpy
from PIL import Image

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for i, path in enumerate(sys.argv[2:], start=1):
    with rawpy.imread(path) as raw:
        rgb = raw.postprocess(half_size=True, output_bps=8, use_camera_wb=True)
        s = raw.sizes
        x0 = (s.crop_left_margin - s.left_margin) // 2
        y0 = (s.crop_top_margin - s.top_margin) // 2
        img = Image.fromarray(rgb).crop((x0, y0, x0 + s.crop_width // 2, y0 + s.crop_height // 2))
    img = img.resize((max(16, img.width // 2), max(16, img.height // 2)), Image.BILINEAR)
    img.save(os.path.join(out, f"{i:06d}.png"))
