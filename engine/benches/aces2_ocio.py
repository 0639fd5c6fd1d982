"""Times OpenColorIO 2.6's CPU processor (optimisation off, one thread) on the same synthetic
1920x1080 frame as engine/benches/aces2.rs, for the ACES 2.0 SDR Rec.709 output (output
builtin + BT.1886 display builtin). Prints megapixels per second.

Run: .venv/bin/python engine/benches/aces2_ocio.py
"""
import time

import numpy as np
import PyOpenColorIO as ocio

W, H = 1920, 1080
u = (np.arange(W, dtype=np.float32) / W)[None, :]
v = (np.arange(H, dtype=np.float32) / H)[:, None]
exposure = 2.0 ** (-8.0 + 12.0 * u)
frame = np.stack(
    [exposure * (0.2 + 0.8 * v), exposure * (0.5 + 0.5 * np.sin(6.0 * u) * v), exposure * (1.0 - v)],
    axis=-1,
).astype(np.float32)

group = ocio.GroupTransform()
group.appendTransform(ocio.BuiltinTransform("ACES-OUTPUT - ACES2065-1_to_CIE-XYZ-D65 - SDR-100nit-REC709_2.0"))
group.appendTransform(ocio.BuiltinTransform("DISPLAY - CIE-XYZ-D65_to_REC.1886-REC.709"))
for level, label in [(ocio.OPTIMIZATION_NONE, "none"), (ocio.OPTIMIZATION_DEFAULT, "default")]:
    cpu = ocio.Config.CreateRaw().getProcessor(group).getOptimizedCPUProcessor(level)
    best = float("inf")
    for _ in range(3):
        work = frame.copy()
        start = time.perf_counter()
        cpu.applyRGB(work)
        best = min(best, time.perf_counter() - start)
    print(f"OCIO optimisation {label}: {best * 1000:.1f} ms per frame, {W * H / best / 1e6:.2f} MP/s")
