"""Apply canvas templates with asc-fdl (the ASC's library) for rushes' conformance tests.

stdin: JSON list of jobs {"source": <FDL JSON text>, "template": <FDL JSON text>,
"context": index, "canvas": index, "decision": index, "template_index": index}.
stdout: JSON list, per job either {"error": str} or {"canvas": {...}, "decision": {...}}.
"""
import json
import sys

import fdl


def dims(d):
    return None if d is None else {"width": d.width, "height": d.height}


def point(p):
    return None if p is None else {"x": p.x, "y": p.y}


def run(job):
    src = fdl.read_from_string(job["source"], validate=False)
    tpl_doc = fdl.read_from_string(job["template"], validate=False)
    ctx = src.contexts[job.get("context", 0)]
    canvas = ctx.canvases[job.get("canvas", 0)]
    decision = canvas.framing_decisions[job.get("decision", 0)]
    template = tpl_doc.canvas_templates[job.get("template_index", 0)]
    res = template.apply(canvas, decision, "123456781234567812345678123456", "", ctx.label, None)
    out = res.canvas
    fd = res.framing_decision
    d = out.as_dict()
    f = fd.as_dict()
    return {
        "canvas": {
            "dimensions": d.get("dimensions"),
            "effective_dimensions": d.get("effective_dimensions"),
            "effective_anchor_point": d.get("effective_anchor_point"),
            "anamorphic_squeeze": d.get("anamorphic_squeeze"),
            "scale_factor": d.get("_scale_factor"),
            "content_translation": d.get("_content_translation"),
            "scaled_bounding_box": d.get("_scaled_bounding_box"),
        },
        "decision": {
            "dimensions": f.get("dimensions"),
            "anchor_point": f.get("anchor_point"),
            "protection_dimensions": f.get("protection_dimensions"),
            "protection_anchor_point": f.get("protection_anchor_point"),
        },
        "fdl": json.loads(res.fdl.as_json()),
    }


def main():
    jobs = json.load(sys.stdin)
    out = []
    for job in jobs:
        try:
            out.append(run(job))
        except Exception as e:  # the reference refusing a job is a result too
            out.append({"error": f"{type(e).__name__}: {e}"})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
