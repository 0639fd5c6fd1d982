"""Demosaicing reference numbers for rushes' quality test.

Usage: reference.py DATASET_DIR OUT_DIR
       reference.py skimage OUT_DIR      (the RGB PNGs bundled with scikit-image)

Reads every PNG/TIFF ground-truth image of DATASET_DIR, writes its 8-bit RGB pixels packed row by
row to OUT_DIR/<name>.rgb, and for each Bayer phase mosaics it and demosaics it with
colour-demosaicing (bilinear, Malvar2004, Menon2007), scoring colour PSNR the way the Rust test
does: output clipped to [0, 1], 8-bit scale, all three channels, 10-pixel border excluded.
Prints one JSON document: a list of {name, width, height, file, psnr: {method: {phase: dB}}}.
"""

import json
import os
import sys

import numpy as np
import tifffile
from PIL import Image
from colour_demosaicing import (
    demosaicing_CFA_Bayer_bilinear,
    demosaicing_CFA_Bayer_Malvar2004,
    demosaicing_CFA_Bayer_Menon2007,
    mosaicing_CFA_Bayer,
)

BORDER = 10
# The 8-bit RGB PNGs that ship inside scikit-image (skimage/data).
SKIMAGE_RGB = [
    "astronaut.png",
    "chelsea.png",
    "chessboard_RGB.png",
    "coffee.png",
    "color.png",
    "ihc.png",
    "motorcycle_left.png",
    "motorcycle_right.png",
    "phantom.png",
]
PHASES = ["RGGB", "BGGR", "GRBG", "GBRG"]
METHODS = {
    "bilinear": demosaicing_CFA_Bayer_bilinear,
    "malvar2004": demosaicing_CFA_Bayer_Malvar2004,
    "menon2007": demosaicing_CFA_Bayer_Menon2007,
}


def load(path):
    if path.lower().endswith((".tif", ".tiff")):
        rgb = tifffile.imread(path)
    else:
        rgb = np.asarray(Image.open(path).convert("RGB"))
    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] < 3:
        raise SystemExit(f"{path}: expected 8-bit RGB, got {rgb.dtype} {rgb.shape}")
    return np.ascontiguousarray(rgb[:, :, :3])


def psnr(truth_u8, estimate):
    b = BORDER
    est = np.clip(estimate, 0.0, 1.0)[b:-b, b:-b] * 255.0
    ref = truth_u8[b:-b, b:-b].astype(np.float64)
    mse = np.mean((est - ref) ** 2)
    return float(10.0 * np.log10(255.0**2 / mse))


def main():
    src, out = sys.argv[1], sys.argv[2]
    if src == "skimage":
        import skimage.data

        src = os.path.dirname(skimage.data.__file__)
        names = SKIMAGE_RGB
    else:
        names = sorted(
            n for n in os.listdir(src) if n.lower().endswith((".png", ".tif", ".tiff"))
        )
    results = []
    for name in names:
        rgb = load(os.path.join(src, name))
        stem = os.path.splitext(name)[0]
        raw_path = os.path.join(out, stem + ".rgb")
        with open(raw_path, "wb") as f:
            f.write(rgb.tobytes())
        linear = rgb.astype(np.float64) / 255.0
        scores = {m: {} for m in METHODS}
        for phase in PHASES:
            cfa = mosaicing_CFA_Bayer(linear, phase)
            for method, fn in METHODS.items():
                scores[method][phase.lower()] = psnr(rgb, fn(cfa, phase))
        results.append(
            {
                "name": stem,
                "width": int(rgb.shape[1]),
                "height": int(rgb.shape[0]),
                "file": raw_path,
                "psnr": scores,
            }
        )
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
