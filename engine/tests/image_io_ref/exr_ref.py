"""OpenEXR reference for the image_io conformance tests (our own script).

dump FILE...   print, per file, the header facts and every channel's sample bits as OpenEXR
               decodes them (uint16 bits of half samples, uint32 bits of float samples).
write DIR      write files with OpenEXR (several compressions, half and float, scanline and
               tiled) into DIR and print what OpenEXR itself decodes from each of them.
"""
import json
import os
import sys

import numpy as np
import OpenEXR


def bits(pixels):
    a = np.ascontiguousarray(pixels)
    if a.dtype == np.float16:
        return "half", a.view(np.uint16).ravel().tolist()
    if a.dtype == np.float32:
        return "float", a.view(np.uint32).ravel().tolist()
    return str(a.dtype), a.ravel().tolist()


def describe(path):
    with OpenEXR.File(path, separate_channels=True) as f:
        h = f.header()
        channels = {}
        for name, ch in f.channels().items():
            kind, values = bits(ch.pixels)
            channels[name] = {"type": kind, "bits": values, "shape": list(ch.pixels.shape)}
        out = {
            "channels": channels,
            "compression": str(h["compression"]).split(".")[-1],
            "lineOrder": str(h["lineOrder"]).split(".")[-1],
            "pixelAspectRatio": float(h["pixelAspectRatio"]),
            "attributes": sorted(h.keys()),
            "colorMetadata": int(OpenEXR.checkColorMetadata(h)),
        }
        if "chromaticities" in h:
            out["chromaticities"] = [float(v) for v in h["chromaticities"]]
        if "acesImageContainerFlag" in h:
            out["acesImageContainerFlag"] = int(h["acesImageContainerFlag"])
        if "adoptedNeutral" in h:
            out["adoptedNeutral"] = [float(v) for v in h["adoptedNeutral"]]
        if "timeCode" in h:
            tc = h["timeCode"]
            out["timeCode"] = {
                "hours": tc.hours, "minutes": tc.minutes, "seconds": tc.seconds,
                "frame": tc.frame, "dropFrame": bool(tc.dropFrame),
                "userData": int(tc.userData), "fieldPhase": bool(tc.fieldPhase),
            }
        if "framesPerSecond" in h:
            r = h["framesPerSecond"]
            out["framesPerSecond"] = [int(r.numerator), int(r.denominator)]
        for key in ("owner", "comments", "capDate", "clipName", "reelName", "amfFile", "fdlFile"):
            if key in h:
                v = h[key]
                out[key] = v.decode() if isinstance(v, bytes) else str(v)
        return out


def sample_image(height, width, dtype):
    rng = np.random.default_rng(7)
    base = rng.normal(0.18, 0.5, size=(height, width, 4)).astype(np.float32)
    base[0, 0, :] = [0.0, -0.0, 65504.0, 1e-7]
    base[0, 1, :] = [np.inf, -np.inf, 6.1e-5, -2.0]
    return base.astype(dtype)


def write_all(folder):
    made = []
    compressions = {
        "none": OpenEXR.NO_COMPRESSION, "rle": OpenEXR.RLE_COMPRESSION,
        "zips": OpenEXR.ZIPS_COMPRESSION, "zip": OpenEXR.ZIP_COMPRESSION,
        "piz": OpenEXR.PIZ_COMPRESSION, "pxr24": OpenEXR.PXR24_COMPRESSION,
        "b44": OpenEXR.B44_COMPRESSION, "b44a": OpenEXR.B44A_COMPRESSION,
        "dwaa": OpenEXR.DWAA_COMPRESSION, "dwab": OpenEXR.DWAB_COMPRESSION,
    }
    for cname, code in compressions.items():
        for dtype, tname in ((np.float16, "half"), (np.float32, "float")):
            for alpha in (False, True):
                img = sample_image(45, 67, dtype)
                channels = {"RGBA": img} if alpha else {"RGB": img[:, :, :3].copy()}
                header = {"compression": code, "type": OpenEXR.scanlineimage}
                name = f"{cname}_{tname}_{'rgba' if alpha else 'rgb'}.exr"
                path = os.path.join(folder, name)
                with OpenEXR.File(header, channels) as f:
                    f.write(path)
                made.append(path)
    # Tiled, half, ZIP and PIZ.
    for cname, code in (("zip", OpenEXR.ZIP_COMPRESSION), ("piz", OpenEXR.PIZ_COMPRESSION)):
        img = sample_image(45, 67, np.float16)[:, :, :3].copy()
        tiles = OpenEXR.TileDescription()
        tiles.xSize, tiles.ySize, tiles.mode = 16, 16, OpenEXR.ONE_LEVEL
        header = {"compression": code, "type": OpenEXR.tiledimage, "tiles": tiles}
        path = os.path.join(folder, f"tiled_{cname}_half_rgb.exr")
        with OpenEXR.File(header, {"RGB": img}) as f:
            f.write(path)
        made.append(path)
    return {os.path.basename(p): describe(p) for p in made}


def main():
    if sys.argv[1] == "dump":
        print(json.dumps({os.path.basename(p): describe(p) for p in sys.argv[2:]}))
    elif sys.argv[1] == "write":
        print(json.dumps(write_all(sys.argv[2])))
    else:
        raise SystemExit("usage: exr_ref.py dump FILE... | write DIR")


main()
