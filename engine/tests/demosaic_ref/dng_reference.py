"""Reference reading of DNG frames for rushes' raw-decode test.

Usage: dng_reference.py FILE.dng...

For each file, prints (as one JSON list) the storage and level tags as tifffile reads them, and
what rawpy (LibRaw) decodes: image sizes and margins, per-channel black level, white level, the
colour of the visible area's top-left 2x2 cell, and writes LibRaw's raw_image and
raw_image_visible as little-endian uint16 to FILE.raw_image.u16 and FILE.raw_visible.u16.
"""

import json
import sys

import numpy as np
import rawpy
import tifffile

TAGS = {
    256: "ImageWidth",
    257: "ImageLength",
    258: "BitsPerSample",
    259: "Compression",
    273: "StripOffsets",
    278: "RowsPerStrip",
    279: "StripByteCounts",
    322: "TileWidth",
    323: "TileLength",
    324: "TileOffsets",
    325: "TileByteCounts",
    33421: "CFARepeatPatternDim",
    33422: "CFAPattern",
    50712: "LinearizationTable",
    50713: "BlackLevelRepeatDim",
    50714: "BlackLevel",
    50715: "BlackLevelDeltaH",
    50716: "BlackLevelDeltaV",
    50717: "WhiteLevel",
    50829: "ActiveArea",
}


def plain(value):
    if isinstance(value, bytes):
        return list(value)
    if isinstance(value, (tuple, list, np.ndarray)):
        return [plain(v) for v in value]
    if hasattr(value, "value"):  # enums
        return int(value.value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def main():
    out = []
    for path in sys.argv[1:]:
        with tifffile.TiffFile(path) as tif:
            page = tif.pages[0]
            tags = {
                name: plain(page.tags[code].value)
                for code, name in TAGS.items()
                if code in page.tags
            }
            byteorder = tif.byteorder
        with rawpy.imread(path) as raw:
            raw.raw_image.astype("<u2").tofile(path + ".raw_image.u16")
            raw.raw_image_visible.astype("<u2").tofile(path + ".raw_visible.u16")
            s = raw.sizes
            colors = raw.raw_colors_visible[:2, :2]
            desc = raw.color_desc.decode()
            out.append(
                {
                    "path": path,
                    "byteorder": byteorder,
                    "tags": tags,
                    "raw_width": s.raw_width,
                    "raw_height": s.raw_height,
                    "width": s.width,
                    "height": s.height,
                    "top_margin": s.top_margin,
                    "left_margin": s.left_margin,
                    "black_level_per_channel": list(raw.black_level_per_channel),
                    "white_level": int(raw.white_level),
                    # Colour letters of the visible top-left 2x2 cell, row by row ("RGGB"...).
                    "cell": "".join(desc[int(c)] for c in colors.flatten()),
                    # Index into black_level_per_channel of each cell site.
                    "cell_channels": [int(c) for c in colors.flatten()],
                }
            )
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
