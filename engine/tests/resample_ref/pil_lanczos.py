"""Reference Lanczos resize for the rushes resampler tests.

Reads {"region": [x, y, w, h], "sizes": [[w, h], ...]} on stdin. Takes that region of
scikit-image's bundled `camera` photograph as linear floats (8-bit values / 255, squared), resizes
it with Pillow's LANCZOS filter on a float ('F') image for every size, and prints
{"width", "height", "source": [...], "results": [[...], ...]} (row-major floats).
"""
import json
import sys

import numpy as np
from PIL import Image
from skimage import data

request = json.load(sys.stdin)
x, y, w, h = request["region"]
photo = data.camera().astype(np.float64) / 255.0
region = np.ascontiguousarray((photo[y:y + h, x:x + w] ** 2).astype(np.float32))
image = Image.fromarray(region)
assert image.mode == "F", image.mode
results = []
for ow, oh in request["sizes"]:
    resized = image.resize((ow, oh), Image.Resampling.LANCZOS)
    results.append(np.asarray(resized, dtype=np.float32).ravel().tolist())
json.dump({"width": w, "height": h, "source": region.ravel().tolist(), "results": results}, sys.stdout)
