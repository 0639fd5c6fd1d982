"""OpenColorIO 2.6 reference for the ACES 2.0 output transform tests (rushes).

stdin: one JSON line, then (for "apply") little-endian float32 RGB triples.
  {"op": "apply", "steps": [{"builtin": "<name>", "inverse": false}, ...]}
      chains OCIO built-in transforms (e.g. the ACES 2.0 output builtin, then a DISPLAY
      builtin for the encoding) and applies them, optimisation off, in float32.
  {"op": "natural", "exposures": [stops, ...]}
      scikit-image's bundled photographs (sRGB) converted to ACES2065-1 with colour-science
      (Bradford adaptation D65 -> ACES white), once per exposure offset.
  {"op": "time", "steps": [...], "repeat": n}
      seconds per pass of the processor over the pixels (single thread), as text.
stdout: float32 RGB triples (or the timing).
"""
import json
import sys
import time

import numpy as np
import PyOpenColorIO as ocio


def processor(steps):
    group = ocio.GroupTransform()
    for step in steps:
        direction = ocio.TRANSFORM_DIR_INVERSE if step.get("inverse") else ocio.TRANSFORM_DIR_FORWARD
        group.appendTransform(ocio.BuiltinTransform(step["builtin"], direction))
    cfg = ocio.Config.CreateRaw()
    return cfg.getProcessor(group).getOptimizedCPUProcessor(ocio.OPTIMIZATION_NONE)


def natural(exposures):
    import colour
    import skimage.data as data

    images = [data.astronaut(), data.coffee(), data.chelsea(), data.rocket(), data.colorwheel()]
    out = []
    for img in images:
        srgb = img.astype(np.float64) / 255.0
        aces = colour.RGB_to_RGB(
            srgb, "sRGB", "ACES2065-1", chromatic_adaptation_transform="Bradford",
            apply_cctf_decoding=True,
        ).reshape(-1, 3)
        for stops in exposures:
            out.append(aces * 2.0 ** stops)
    return np.concatenate(out).astype(np.float32)


def main():
    header = json.loads(sys.stdin.buffer.readline())
    if header["op"] == "natural":
        sys.stdout.buffer.write(natural(header["exposures"]).astype("<f4").tobytes())
        return
    pixels = np.frombuffer(sys.stdin.buffer.read(), dtype="<f4").astype(np.float32).reshape(-1, 3).copy()
    cpu = processor(header["steps"])
    if header["op"] == "time":
        best = float("inf")
        for _ in range(header.get("repeat", 3)):
            work = pixels.copy()
            start = time.perf_counter()
            cpu.applyRGB(work)
            best = min(best, time.perf_counter() - start)
        sys.stdout.write(f"{best}\n")
        return
    cpu.applyRGB(pixels)
    sys.stdout.buffer.write(pixels.astype("<f4").tobytes())


main()
