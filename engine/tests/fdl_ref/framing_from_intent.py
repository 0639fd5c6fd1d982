"""Framing from intent with asc-fdl (the ASC's library), for rushes' tests.

stdin: JSON list of {"canvas": [w, h], "working": [w, h], "squeeze": s, "aspect_ratio": [w, h],
"protection": p, "even": "whole"|"even", "mode": "up"|"down"|"round"}.
stdout: JSON list of {"dimensions": [w, h], "anchor_point": [x, y],
"protection_dimensions": [w, h] | null, "protection_anchor_point": [x, y] | null}.
"""
import json
import sys

import fdl


def pair(v, a, b):
    return None if v is None else [getattr(v, a), getattr(v, b)]


def main():
    out = []
    for job in json.load(sys.stdin):
        r = fdl.compute_framing_from_intent(
            fdl.DimensionsFloat(width=job["canvas"][0], height=job["canvas"][1]),
            fdl.DimensionsFloat(width=job["working"][0], height=job["working"][1]),
            job["squeeze"],
            fdl.DimensionsInt(width=job["aspect_ratio"][0], height=job["aspect_ratio"][1]),
            job["protection"],
            fdl.RoundStrategy(even=job["even"], mode=job["mode"]),
        )
        out.append({
            "dimensions": pair(r.dimensions, "width", "height"),
            "anchor_point": pair(r.anchor_point, "x", "y"),
            "protection_dimensions": pair(r.protection_dimensions, "width", "height"),
            "protection_anchor_point": pair(r.protection_anchor_point, "x", "y"),
        })
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
