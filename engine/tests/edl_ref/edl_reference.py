"""Reference views of one CMX3600 EDL, as JSON on stdout: what pycmx and what
OpenTimelineIO's cmx_3600 adapter make of it.

usage: edl_reference.py [--otio-json | --otio-file] <file> <rate numerator> <rate denominator>
  (default) the EDL as pycmx and as OTIO's cmx_3600 adapter read it;
  --otio-json: the EDL read by OTIO and written as .otio JSON, with OTIO's view of that JSON;
  --otio-file: OTIO's view of an .otio file.
Each reference is {"ok": ...} or {"error": "<message>"}; frames are at the given rate.
"""
import json
import sys

import opentimelineio as otio
import pycmx


def read_text(path):
    raw = open(path, "rb").read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def pycmx_view(text):
    import io

    # tolerant: fall back to its relaxed event-line pattern when fixed columns do not fit.
    edl = pycmx.parse_cmx3600(io.StringIO(text), tolerant=True)
    events = []
    for event in edl.events:
        edits = []
        for edit in event.edits:
            ch = edit.channels
            tr = edit.transition
            sop = edit.asc_sop
            edits.append({
                "number": event.number,
                "line": edit.line_number + 1,
                "reel": edit.source,
                "video": ch.video,
                "audio": sorted(ch.channels),
                "transition": tr.kind,
                "transition_code": tr.transition,
                "operand": tr.operand,
                "wipe_number": tr.wipe_number,
                "effect_name": tr.name,
                "source_in": edit.source_in,
                "source_out": edit.source_out,
                "record_in": edit.record_in,
                "record_out": edit.record_out,
                "clip_name": edit.clip_name,
                "source_file": edit.source_file,
                "black": edit.black,
                "aux": edit.aux_source,
                "asc_sop": None if sop is None else [
                    [sop.slope.red, sop.slope.green, sop.slope.blue],
                    [sop.offset.red, sop.offset.green, sop.offset.blue],
                    [sop.power.red, sop.power.green, sop.power.blue],
                ],
                "asc_sat": edit.asc_sat,
            })
        events.append(edits)
    return {"title": edl.title, "events": events}


def frames(rt, rate):
    return rt.rescaled_to(rate).value


def otio_view(text, rate):
    timeline, ignored_mismatch = read_edl_with_otio(text, rate)
    view = timeline_view(timeline, rate)
    view["ignored_mismatch"] = ignored_mismatch
    return view


def read_edl_with_otio(text, rate):
    # The adapter refuses lists whose source and record durations differ (black and leader
    # events, speed effects it does not recognise); then read again with its own escape hatch,
    # which moves record times, and say so.
    try:
        timeline = otio.adapters.read_from_string(text, adapter_name="cmx_3600", rate=rate)
        ignored_mismatch = False
    except Exception:
        timeline = otio.adapters.read_from_string(
            text, adapter_name="cmx_3600", rate=rate, ignore_timecode_mismatch=True
        )
        ignored_mismatch = True
    return timeline, ignored_mismatch


def timeline_view(timeline, rate):
    tracks = []
    for track in timeline.tracks:
        offset = 0.0
        if track.source_range is not None:
            offset = -frames(track.source_range.start_time, rate)
        items = []
        for index, child in enumerate(track):
            item = {"name": child.name, "schema": child.schema_name(), "enabled": getattr(child, "enabled", True)}
            if isinstance(child, otio.schema.Transition):
                cmx = child.metadata.get("cmx_3600", {})
                item.update({
                    "transition_type": child.transition_type,
                    "in_offset": frames(child.in_offset, rate),
                    "out_offset": frames(child.out_offset, rate),
                    "code": cmx.get("transition"),
                    "duration": cmx.get("transition_duration"),
                })
            else:
                place = child.range_in_parent()
                item["record_start"] = frames(place.start_time, rate) + offset
                item["record_duration"] = frames(place.duration, rate)
                if isinstance(child, otio.schema.Clip):
                    sr = child.source_range
                    item["source_start"] = frames(sr.start_time, rate)
                    item["source_duration"] = frames(sr.duration, rate)
                    cmx = child.metadata.get("cmx_3600", {})
                    item["reel"] = cmx.get("reel")
                    item["comments"] = [str(c) for c in cmx.get("comments", [])]
                    cdl = child.metadata.get("cdl")
                    item["cdl"] = None if cdl is None else {
                        "sat": cdl["asc_sat"],
                        "slope": list(cdl["asc_sop"]["slope"]),
                        "offset": list(cdl["asc_sop"]["offset"]),
                        "power": list(cdl["asc_sop"]["power"]),
                    }
                    effects = []
                    for effect in child.effects:
                        if isinstance(effect, otio.schema.FreezeFrame):
                            effects.append({"kind": "freeze"})
                        elif isinstance(effect, otio.schema.LinearTimeWarp):
                            effects.append({"kind": "warp", "scalar": effect.time_scalar})
                    item["effects"] = effects
                    ref = child.media_reference
                    item["media_url"] = getattr(ref, "target_url", None)
                    item["generator"] = getattr(ref, "generator_kind", None)
                    item["markers"] = [
                        {
                            "frame": frames(m.marked_range.start_time, rate),
                            "color": m.metadata.get("cmx_3600", {}).get("color"),
                            "name": m.name,
                        }
                        for m in child.markers
                    ]
            items.append(item)
        tracks.append({"name": track.name, "kind": track.kind, "items": items})
    return {"title": timeline.name, "tracks": tracks}


def guarded(fn, *args):
    try:
        return {"ok": fn(*args)}
    except Exception as e:  # the reference's own failures are data for the test
        return {"error": f"{type(e).__name__}: {e}"}


def otio_json_view(text, rate):
    """The EDL as OTIO reads it, written as .otio JSON, plus OTIO's view of that timeline."""
    timeline, _ = read_edl_with_otio(text, rate)
    written = otio.adapters.write_to_string(timeline, "otio_json")
    again = otio.adapters.read_from_string(written, "otio_json")
    return {"json": written, "view": timeline_view(again, rate)}


def otio_file_view(path, rate):
    return timeline_view(otio.adapters.read_from_file(path), rate)


def main():
    mode = "edl"
    args = sys.argv[1:]
    if args[0].startswith("--"):
        mode, args = args[0][2:], args[1:]
    path, num, den = args[0], int(args[1]), int(args[2])
    rate = num / den
    if mode == "edl":
        text = read_text(path)
        out = {"pycmx": guarded(pycmx_view, text), "otio": guarded(otio_view, text, rate)}
    elif mode == "otio-json":
        out = guarded(otio_json_view, read_text(path), rate)
    elif mode == "otio-file":
        out = guarded(otio_file_view, path, rate)
    else:
        raise SystemExit(f"unknown mode {mode}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
