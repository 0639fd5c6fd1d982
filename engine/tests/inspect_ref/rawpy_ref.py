"""What LibRaw (rawpy) makes of each DNG named on the command line: geometry, levels, CFA
pattern (LibRaw's second green, 3, reported as 1) and camera white balance. Prints JSON."""
import json, sys
import rawpy

out = {}
for path in sys.argv[1:]:
    with rawpy.imread(path) as r:
        s = r.sizes
        out[path] = {
            "raw": [s.raw_width, s.raw_height],
            "margins": [s.top_margin, s.left_margin],
            "visible": [s.width, s.height],
            "crop": [s.crop_left_margin, s.crop_top_margin, s.crop_width, s.crop_height],
            "pixel_aspect": s.pixel_aspect,
            "black": [int(b) for b in r.black_level_per_channel],
            "white": int(r.white_level),
            "pattern": [1 if c == 3 else int(c) for c in r.raw_pattern.flatten()],
            "wb": [float(x) for x in r.camera_whitebalance[:3]],
        }
print(json.dumps(out))
