"""Reference for rate conversion: OpenTimelineIO's RationalTime.rescaled_to.

stdin: JSON list of {"frame": int, "from": float, "to": float}
stdout: JSON list of the rescaled values (floats).
"""
import json
import sys

import opentimelineio as otio

ot = otio.opentime
cases = json.load(sys.stdin)
json.dump([ot.RationalTime(c["frame"], c["from"]).rescaled_to(c["to"]).value for c in cases], sys.stdout)
