"""Writes CFA DNGs with pidng for rushes' raw-decode conformance test.

Usage: write_pidng.py < specs.json, a list of {"path", "width", "height", "bits", "pattern"
("RGGB"...), "compress" (bool), "seed"}. For each, writes the DNG and the samples it was given
as little-endian uint16 to PATH.want.u16.

pidng 4.0.9's lossless-JPEG path calls its C extension's pack16tolj, whose argument parsing
fails on Python >= 3.10 (PY_SSIZE_T_CLEAN). The same extension exports pidng's encoder,
lj92_encode, so pack16tolj is provided here with ctypes over that function, with the
arguments pidng passes; the JPEG bytes and the DNG around them are pidng's own.
"""

import ctypes
import glob
import json
import os
import sys
import types

import numpy as np
import pidng
from pidng.core import RAW2DNG, DNGTags, Tag
from pidng.defs import (
    CFAPattern,
    CalibrationIlluminant,
    DNGVersion,
    Orientation,
    PhotometricInterpretation,
    PreviewColorSpace,
)

SITE = os.path.dirname(os.path.dirname(pidng.__file__))


def _lj92():
    so = glob.glob(os.path.join(SITE, "ljpegCompress*.so"))[0]
    lib = ctypes.CDLL(so)
    lib.lj92_encode.argtypes = [
        ctypes.POINTER(ctypes.c_uint16),
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_uint16),
        ctypes.c_int,
        ctypes.POINTER(ctypes.POINTER(ctypes.c_uint8)),
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    return lib


def pack16tolj(image, width, height, bitdepth, read_length, skip_length, delin, delin_len, predictor):
    lib = _lj92()
    data = np.ascontiguousarray(image, dtype=np.uint16)
    encoded = ctypes.POINTER(ctypes.c_uint8)()
    length = ctypes.c_int(0)
    ret = lib.lj92_encode(
        data.ctypes.data_as(ctypes.POINTER(ctypes.c_uint16)),
        width,
        height,
        bitdepth,
        width * height,
        0,
        None,
        0,
        ctypes.byref(encoded),
        ctypes.byref(length),
        predictor,
    )
    if ret != 0:
        raise RuntimeError(f"lj92_encode failed: {ret}")
    return ctypes.string_at(encoded, length.value)


sys.modules["ljpegCompress"] = types.SimpleNamespace(pack16tolj=pack16tolj)


def samples(width, height, bits, seed):
    """A smooth scene plus noise, kept inside what lj92 codes correctly: it writes differences
    without the modulo-2^16 rule, so the last and first samples of two rows that share a JPEG
    line stay within 2^15 of each other; and it writes 16 extra bits after category 16 where
    ITU-T T.81 (and LibRaw and the DNG SDK) read none, so no sample is 0 (a 0 first sample is
    a difference of -32768 from the 16-bit initial prediction)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    top = (1 << bits) - 1
    base = (x / width * 0.3 + y / height * 0.3) * top
    noise = rng.normal(0, top / 200 + 1, size=(height, width))
    return np.clip(base + noise, 1, top).astype(np.uint16)


def main():
    for spec in json.load(sys.stdin):
        w, h, bits = spec["width"], spec["height"], spec["bits"]
        data = samples(w, h, bits, spec["seed"])
        t = DNGTags()
        t.set(Tag.ImageWidth, w)
        t.set(Tag.ImageLength, h)
        t.set(Tag.TileWidth, w)
        t.set(Tag.TileLength, h)
        t.set(Tag.Orientation, Orientation.Horizontal)
        t.set(Tag.PhotometricInterpretation, PhotometricInterpretation.Color_Filter_Array)
        t.set(Tag.SamplesPerPixel, 1)
        t.set(Tag.BitsPerSample, bits)
        t.set(Tag.CFARepeatPatternDim, [2, 2])
        t.set(Tag.CFAPattern, getattr(CFAPattern, spec["pattern"]))
        t.set(Tag.BlackLevel, (1 << bits) // 16)
        t.set(Tag.WhiteLevel, (1 << bits) - 1)
        t.set(Tag.ColorMatrix1, [[1, 1], [0, 1], [0, 1], [0, 1], [1, 1], [0, 1], [0, 1], [0, 1], [1, 1]])
        t.set(Tag.CalibrationIlluminant1, CalibrationIlluminant.D65)
        t.set(Tag.AsShotNeutral, [[1, 1], [1, 1], [1, 1]])
        t.set(Tag.DNGVersion, DNGVersion.V1_4)
        t.set(Tag.DNGBackwardVersion, DNGVersion.V1_2)
        t.set(Tag.Make, "pidng")
        t.set(Tag.Model, "conformance")
        t.set(Tag.UniqueCameraModel, "pidng conformance")
        t.set(Tag.PreviewColorSpace, PreviewColorSpace.sRGB)
        converter = RAW2DNG()
        path = spec["path"]
        folder, name = os.path.split(path)
        converter.options(t, path=folder, compress=spec["compress"])
        converter.convert(data, filename=name)
        data.astype("<u2").tofile(path + ".want.u16")


if __name__ == "__main__":
    main()
