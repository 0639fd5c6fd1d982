"""Reference decode of DNG files for rushes' raw-decode conformance test.

Usage: raw_reference.py FILE.dng...

For each file prints (one JSON list) what rawpy (LibRaw) decodes: sizes and margins,
black_level_per_channel, white_level, raw_pattern and color_desc; writes raw_image and
raw_image_visible as little-endian uint16 to FILE.rawpy.u16 and FILE.rawpy_visible.u16. When
dngpy (the Adobe DNG SDK) is importable, also its stage-1 raw pixels to FILE.dngpy.u16, their
shape, the SDK's Bayer pattern name and active-area offset.
"""

import json
import sys

import numpy as np
import rawpy

try:
    import dngpy
except ImportError:  # the test then says the SDK was not available
    dngpy = None


def main():
    out = []
    for path in sys.argv[1:]:
        rec = {"path": path}
        with rawpy.imread(path) as raw:
            raw.raw_image.astype("<u2").tofile(path + ".rawpy.u16")
            raw.raw_image_visible.astype("<u2").tofile(path + ".rawpy_visible.u16")
            s = raw.sizes
            rec.update(
                raw_width=s.raw_width,
                raw_height=s.raw_height,
                width=s.width,
                height=s.height,
                top_margin=s.top_margin,
                left_margin=s.left_margin,
                black_level_per_channel=[int(v) for v in raw.black_level_per_channel],
                white_level=int(raw.white_level),
                raw_pattern=raw.raw_pattern.tolist(),
                color_desc=raw.color_desc.decode(),
            )
        if dngpy is not None:
            dng = dngpy.Dng(path)
            pixels = np.asarray(dng.raw_pixels)
            pixels.astype("<u2").tofile(path + ".dngpy.u16")
            info = dng.get_data_info()
            rec.update(
                dngpy_shape=list(pixels.shape),
                dngpy_bayer=dng.get_bayer_pattern(),
                dngpy_top=int(info.top),
                dngpy_left=int(info.left),
            )
        out.append(rec)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
