"""Writes uncompressed CFA DNGs with tifffile for rushes' raw-decode conformance test.

Usage: write_tifffile_cfa.py < specs.json, a list of {"path", "width", "height", "dtype"
("uint8" or "uint16"), "byteorder" ("<" or ">"), "pattern" (four CFA codes), "tile" (null or
[h, w]), "subifd" (raw image in SubIFD 0 behind an RGB preview), "active_area" (null or
[top, left, bottom, right]), "black" (2x2 BlackLevel values), "white", "seed"}. Writes the
samples given to tifffile as little-endian uint16 to PATH.want.u16.
"""

import json
import sys

import numpy as np
import tifffile


def main():
    for spec in json.load(sys.stdin):
        h, w = spec["height"], spec["width"]
        dtype = np.dtype(spec["dtype"])
        top = int(np.iinfo(dtype).max)
        rng = np.random.default_rng(spec["seed"])
        data = rng.integers(0, top + 1, size=(h, w), dtype=np.uint32).astype(dtype)
        raw_tags = [
            (33421, "H", 2, (2, 2), True),
            (33422, "B", 4, tuple(spec["pattern"]), True),
            (50713, "H", 2, (2, 2), True),
            (50714, "H", 4, tuple(spec["black"]), True),
            (50717, "H", 1, spec["white"], True),
        ]
        if spec["active_area"]:
            raw_tags.append((50829, "I", 4, tuple(spec["active_area"]), True))
        # What the DNG SDK requires of a CFA DNG besides the raw image: version, camera
        # name and a colour matrix.
        dng_version = [
            (50706, "B", 4, (1, 4, 0, 0), True),
            (50708, "s", 0, "tifffile CFA", True),
            (50721, "2i", 9, (1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1), True),
            (50728, "2I", 3, (1, 1, 1, 1, 1, 1), True),
            (50778, "H", 1, 21, True),
        ]
        kwargs = {"tile": tuple(spec["tile"])} if spec["tile"] else {}
        with tifffile.TiffWriter(spec["path"], byteorder=spec["byteorder"]) as tif:
            if spec["subifd"]:
                preview = np.zeros((8, 8, 3), np.uint8)
                tif.write(preview, photometric="rgb", subfiletype=1, subifds=1, extratags=dng_version)
                tif.write(data, photometric="cfa", subfiletype=0, extratags=raw_tags, **kwargs)
            else:
                tif.write(data, photometric="cfa", subfiletype=0, extratags=dng_version + raw_tags, **kwargs)
        data.astype("<u2").tofile(spec["path"] + ".want.u16")


if __name__ == "__main__":
    main()
