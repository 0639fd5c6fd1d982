"""Applies an OpenColorIO transform to RGB pixels (rushes conformance tests).

stdin: JSON {"op": {...}, "pixels": [r, g, b, r, g, b, ...]}; stdout: JSON list of output pixels.
op kinds:
  {"kind": "colorspace", "config": "ocio://...", "src": "<name>", "dst": "<name>"}
  {"kind": "display", "config": ..., "src": ..., "display": ..., "view": ...}
  {"kind": "cdl", "slope": [..3], "offset": [..3], "power": [..3], "sat": s,
   "style": "asc" | "noclamp", "working": null | {"config": ..., "space": "<name>"}}
   (with "working": ACES2065-1 -> space, CDL, space -> ACES2065-1)
Processors are built with optimisation off and run in float32.
"""
import json
import sys

import numpy as np
import PyOpenColorIO as ocio


def processor(op):
    if op["kind"] == "colorspace":
        cfg = ocio.Config.CreateFromFile(op["config"])
        return cfg.getProcessor(op["src"], op["dst"])
    if op["kind"] == "display":
        cfg = ocio.Config.CreateFromFile(op["config"])
        view = ocio.DisplayViewTransform(src=op["src"], display=op["display"], view=op["view"])
        return cfg.getProcessor(view)
    if op["kind"] == "cdl":
        cdl = ocio.CDLTransform()
        cdl.setSlope(op["slope"])
        cdl.setOffset(op["offset"])
        cdl.setPower(op["power"])
        cdl.setSat(op["sat"])
        cdl.setStyle(ocio.CDL_ASC if op["style"] == "asc" else ocio.CDL_NO_CLAMP)
        working = op.get("working")
        if working is None:
            cfg = ocio.Config.CreateRaw()
            return cfg.getProcessor(cdl)
        cfg = ocio.Config.CreateFromFile(working["config"])
        group = ocio.GroupTransform()
        group.appendTransform(ocio.ColorSpaceTransform("ACES2065-1", working["space"]))
        group.appendTransform(cdl)
        group.appendTransform(ocio.ColorSpaceTransform(working["space"], "ACES2065-1"))
        return cfg.getProcessor(group)
    raise SystemExit(f"unknown op kind {op['kind']}")


def main():
    request = json.load(sys.stdin)
    cpu = processor(request["op"]).getOptimizedCPUProcessor(ocio.OPTIMIZATION_NONE)
    pixels = np.asarray(request["pixels"], dtype=np.float32).reshape(-1, 3).copy()
    cpu.applyRGB(pixels)
    json.dump([float(v) for v in pixels.reshape(-1)], sys.stdout)


main()
