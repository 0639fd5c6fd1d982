"""OpenEXR reference for the EXR header reader.

`exr_ref.py write DIR` writes test files with the openexr package: a three-frame sequence
shot.1001-1003.exr (timeCode, framesPerSecond, chromaticities, owner, capDate, comments,
pixelAspectRatio, keyCode, string attributes), a 29.97 drop-frame frame, a tiled file and a
two-part file. `exr_ref.py read FILE...` prints every part's header as JSON, as openexr reads it.
"""
import fractions
import json
import sys

import numpy as np
import OpenEXR


def timecode(h, m, s, f, drop=False, user=0):
    tc = OpenEXR.TimeCode()
    tc.hours, tc.minutes, tc.seconds, tc.frame = h, m, s, f
    tc.dropFrame = drop
    tc.userData = user
    return tc


def write(d):
    pixels = {"RGB": np.zeros((48, 64, 3), "float16")}
    for i, frame in enumerate((1001, 1002, 1003)):
        header = {
            "compression": OpenEXR.ZIP_COMPRESSION,
            "type": OpenEXR.scanlineimage,
            "timeCode": timecode(1, 2, 3, 4 + i, user=0x12345678),
            "framesPerSecond": fractions.Fraction(24000, 1001),
            "owner": "rushes test",
            "capDate": "2024:05:06 07:08:09",
            "comments": "plate for shot 010",
            "pixelAspectRatio": 2.0,
            "chromaticities": (0.7347, 0.2653, 0.0, 1.0, 0.0001, -0.077, 0.32168, 0.33767),
            "keyCode": OpenEXR.KeyCode(1, 2, 3, 4, 5, 4, 64),
            "cameraSerial": "ALXA-0123",
            "lensModel": "Cooke S4/i 32mm",
        }
        with OpenEXR.File(header, pixels) as f:
            f.write(f"{d}/shot.{frame}.exr")
    header = {
        "compression": OpenEXR.PIZ_COMPRESSION,
        "type": OpenEXR.scanlineimage,
        "timeCode": timecode(0, 1, 0, 2, drop=True),
        "framesPerSecond": fractions.Fraction(30000, 1001),
    }
    with OpenEXR.File(header, {"Y": np.zeros((16, 16), "float32")}) as f:
        f.write(f"{d}/df.0001.exr")
    tiles = OpenEXR.TileDescription()
    tiles.xSize, tiles.ySize, tiles.mode = 16, 16, OpenEXR.ONE_LEVEL
    header = {"compression": OpenEXR.NO_COMPRESSION, "type": OpenEXR.tiledimage, "tiles": tiles}
    with OpenEXR.File(header, {"RGBA": np.zeros((32, 40, 4), "float16")}) as f:
        f.write(f"{d}/tiled.0001.exr")
    parts = [
        OpenEXR.Part({"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage},
                     {"RGB": np.zeros((8, 8, 3), "float16")}, name="left"),
        OpenEXR.Part({"compression": OpenEXR.RLE_COMPRESSION, "type": OpenEXR.scanlineimage},
                     {"Z": np.zeros((8, 8), "float32")}, name="depth"),
    ]
    with OpenEXR.File(parts) as f:
        f.write(f"{d}/multi.0001.exr")


def pixel_type(c):
    kinds = {np.dtype("uint32"): 0, np.dtype("float16"): 1, np.dtype("float32"): 2}
    return kinds[c.pixels.dtype]


def value(v):
    if isinstance(v, (str, int, float, bool)):
        return v
    if isinstance(v, fractions.Fraction):
        return [v.numerator, v.denominator]
    if isinstance(v, OpenEXR.TimeCode):
        return {"hours": v.hours, "minutes": v.minutes, "seconds": v.seconds, "frame": v.frame,
                "dropFrame": bool(v.dropFrame), "colorFrame": bool(v.colorFrame),
                "fieldPhase": bool(v.fieldPhase), "userData": int(v.userData)}
    if isinstance(v, OpenEXR.KeyCode):
        return [v.filmMfcCode, v.filmType, v.prefix, v.count, v.perfOffset, v.perfsPerFrame,
                v.perfsPerCount]
    if isinstance(v, OpenEXR.TileDescription):
        return {"xSize": v.xSize, "ySize": v.ySize}
    if isinstance(v, np.ndarray):
        return [value(x) for x in v.tolist()]
    if isinstance(v, (tuple, list)):
        if v and isinstance(v[0], OpenEXR.Channel):
            return [[c.name, pixel_type(c), c.xSampling, c.ySampling, bool(c.pLinear)]
                    for c in v]
        out = []
        for x in v:
            x = value(x)
            out.extend(x if isinstance(x, list) else [x])
        return out
    if hasattr(v, "value"):
        return int(v.value)
    return repr(v)


def split_channels(part):
    """Channels by name (the binding groups R, G, B into one `RGB` entry when reading)."""
    out = {}
    for name, c in part.channels.items():
        if c.pixels.ndim == 3:
            for i, n in enumerate(name if len(name) == c.pixels.shape[2] else []):
                out[n] = OpenEXR.Channel(n, np.ascontiguousarray(c.pixels[:, :, i]))
        else:
            out[name] = c
    return out


def read(files):
    out = {}
    for path in files:
        # Pixels are read too: the binding derives channel types from them.
        f = OpenEXR.File(path)
        parts = []
        for p in f.parts:
            h = {k: value(v) for k, v in p.header.items() if k != "channels"}
            h["channels"] = sorted(
                [name, pixel_type(c), c.xSampling, c.ySampling, bool(c.pLinear)]
                for name, c in split_channels(p).items())
            parts.append(h)
        out[path] = parts
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        read(sys.argv[2:])
