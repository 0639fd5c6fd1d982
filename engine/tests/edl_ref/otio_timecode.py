"""Reference view of timecode arithmetic: OpenTimelineIO's RationalTime.

stdin: JSON list of {"frame": int, "num": int, "den": int, "drop": bool}
stdout: JSON list of {"timecode": str, "frame_back": int} (the frame read back from the label).
"""
import json
import sys

import opentimelineio as otio

ot = otio.opentime
out = []
for case in json.load(sys.stdin):
    rate = case["num"] / case["den"]
    label = ot.to_timecode(ot.RationalTime(case["frame"], rate), rate, case["drop"])
    back = ot.from_timecode(label, rate)
    out.append({"timecode": label, "frame_back": int(round(back.value))})
json.dump(out, sys.stdout)
