"""A synthetic library and an editor's reference for the perceptual alignment test.

Writes grey PGM frames under the folder given as argv[1]:
  clips/<clip>/<offset>.pgm   library clips: 30-frame pans (crops moving 3 px a frame) over
                              scikit-image photographs, 160x90; cam_b repeats cam_a's pan with a
                              +2 level shift and light noise (a near duplicate).
  ref/<index>.pgm             the cut's frames, record frame index from the list's first frame:
                              graded (gamma 0.85, gain 0.95, +5), shrunk to 96x54, JPEG quality 35
                              round trip; event 2 letterboxed with 8-row black bars.
Prints JSON: {"clips": {"<clip>": frames}, "events": [{"clip": name or null, "offset", "length"}]}.
"""
import io
import json
import os
import sys

import numpy as np
from PIL import Image
from skimage import data

root = sys.argv[1]
FRAMES, W, H, STEP = 30, 160, 90, 3


def grey(name, height=300):
    img = Image.fromarray(getattr(data, name)()).convert("L")
    return img.resize((round(img.width * height / img.height), height), Image.LANCZOS)


def pan(img, t, y=100):
    return img.crop((STEP * t, y, STEP * t + W, y + H))


def save(img, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    img.save(path)


sources = {"astro": grey("astronaut"), "coffee": grey("coffee"), "cat": grey("chelsea"),
           "cam_a": grey("camera"), "rocket": grey("rocket")}
rng = np.random.default_rng(3)
clips = {}
for clip in ["astro", "coffee", "cat", "cam_a", "cam_b"]:
    src = sources["cam_a" if clip == "cam_b" else clip]
    for t in range(FRAMES):
        frame = pan(src, t)
        if clip == "cam_b":
            a = np.asarray(frame, dtype=np.float64) + 2 + rng.normal(0, 1.0, (H, W))
            frame = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
        save(frame, f"{root}/clips/{clip}/{t}.pgm")
    clips[clip] = FRAMES

events = [("astro", 7, 12), ("coffee", 3, 8), ("cat", 15, 10), ("cam_a", 5, 8), ("rocket", 4, 6)]
index = 0
for e, (clip, offset, length) in enumerate(events):
    for k in range(length):
        a = np.asarray(pan(sources[clip], offset + k), dtype=np.float64) / 255
        a = np.clip(255 * (0.95 * a ** 0.85) + 5, 0, 255).astype(np.uint8)
        small = Image.fromarray(a).resize((96, 54), Image.BILINEAR)
        buf = io.BytesIO()
        small.save(buf, format="JPEG", quality=35)
        frame = Image.open(io.BytesIO(buf.getvalue())).convert("L")
        if e == 1:
            boxed = Image.new("L", (96, 54 + 16), 0)
            boxed.paste(frame, (0, 8))
            frame = boxed
        save(frame, f"{root}/ref/{index}.pgm")
        index += 1
json.dump({"clips": clips, "events": [
    {"clip": None if c == "rocket" else c, "offset": o, "length": n} for c, o, n in events]}, sys.stdout)
