"""ImageHash's phash of 32x32 grey images (natural images from scikit-image, and seeded noise).

Prints JSON: [{"name", "pixels": [1024 grey values, row by row], "phash": "<16 hex digits>"}].
The images are reduced to 32x32 grey here, so imagehash's own resize is the identity (Pillow
returns a copy for a same-size resize) and only the DCT, median and bit order are compared.
"""
import json
import sys

import imagehash
import numpy as np
from PIL import Image
from skimage import data

out = []
for name in ["camera", "astronaut", "coffee", "chelsea", "rocket", "moon", "page", "coins", "horse", "brick"]:
    img = getattr(data, name)()
    if img.dtype != np.uint8:
        img = (img.astype(np.float64) / img.max() * 255).astype(np.uint8)
    grey = Image.fromarray(img).convert("L").resize((32, 32), Image.LANCZOS)
    out.append({"name": name, "pixels": np.asarray(grey).flatten().tolist(), "phash": str(imagehash.phash(grey))})
rng = np.random.default_rng(7)
for i in range(20):
    px = rng.integers(0, 256, size=(32, 32), dtype=np.uint8)
    grey = Image.fromarray(px, mode="L")
    out.append({"name": f"noise{i}", "pixels": np.asarray(grey).flatten().tolist(), "phash": str(imagehash.phash(grey))})
json.dump(out, sys.stdout)
