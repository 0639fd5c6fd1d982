"""Reads each WAV named on the command line with Python's wave module, a struct walk of the RIFF
chunks and ElementTree, and computes the start timecode by hand from bext TimeReference and the
iXML TIMECODE_RATE. Prints JSON keyed by path."""
import json, struct, sys, wave
import xml.etree.ElementTree as ET

out = {}
for path in sys.argv[1:]:
    rec = {}
    with wave.open(path) as w:
        rec["channels"] = w.getnchannels()
        rec["bits"] = w.getsampwidth() * 8
        rec["rate"] = w.getframerate()
        rec["frames"] = w.getnframes()
    data = open(path, "rb").read()
    at, chunks = 12, {}
    while at + 8 <= len(data):
        cid, n = data[at:at + 4].decode("latin-1"), struct.unpack_from("<I", data, at + 4)[0]
        chunks[cid] = data[at + 8:at + 8 + n]
        at += 8 + n + (n & 1)
    bext = chunks["bext"]
    text = lambda a, n: bext[a:a + n].split(b"\0")[0].decode("ascii")
    rec["originator"] = text(256, 32)
    rec["originator_reference"] = text(288, 32)
    rec["origination_date"] = text(320, 10)
    rec["origination_time"] = text(330, 8)
    tr = struct.unpack_from("<Q", bext, 338)[0]
    rec["time_reference"] = tr
    rec["version"] = struct.unpack_from("<H", bext, 346)[0]
    x = ET.fromstring(chunks["iXML"].decode("utf-8"))
    rec["scene"] = x.findtext("SCENE")
    rec["take"] = x.findtext("TAKE")
    rec["circled"] = x.findtext("CIRCLED") == "TRUE"
    rec["note"] = x.findtext("NOTE")
    rec["tape"] = x.findtext("TAPE")
    rec["tracks"] = [t.findtext("NAME") for t in x.findall("TRACK_LIST/TRACK")]
    num, den = (int(v) for v in x.findtext("SPEED/TIMECODE_RATE").split("/"))
    rec["tc_rate"] = [num, den]
    base = -(-num // den)
    frames = tr * num // (rec["rate"] * den)
    ff, secs = frames % base, frames // base
    rec["start_timecode"] = "%02d:%02d:%02d:%02d" % (secs // 3600 % 24, secs // 60 % 60, secs % 60, ff)
    out[path] = rec
print(json.dumps(out))
