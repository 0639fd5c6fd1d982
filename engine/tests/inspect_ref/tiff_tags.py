"""Dumps the TIFF/DNG tags of each file named on the command line with tifffile, as JSON.

Per file: "order" (byte order), "ifd0" and "raw" (tag code -> value; "raw" is the first
full-resolution SubIFD when there is one, else IFD 0), "exif" (EXIF tag name -> value) and
"timecode" (the first CinemaDNG TimeCodes entry decoded from BCD here, "HH:MM:SS:FF").
"""
import enum, json, sys
import numpy as np
import tifffile


def plain(v):
    if isinstance(v, enum.Enum):
        return int(v.value)
    if isinstance(v, (bytes, bytearray)):
        return list(v)
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (tuple, list)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def tags(page):
    return {str(t.code): plain(t.value) for t in page.tags if t.code not in (34665, 330)}


def bcd(b):
    return (b >> 4) * 10 + (b & 0x0F)


out = {}
for path in sys.argv[1:]:
    with tifffile.TiffFile(path) as tif:
        p0 = tif.pages[0]
        raw = p0
        for sp in getattr(p0, "pages", None) or []:
            if int(sp.tags.valueof(254, 0)) == 0:
                raw = sp
                break
        exif = p0.tags.valueof(34665, {}) or {}
        rec = {
            "order": tif.byteorder,
            "ifd0": tags(p0),
            "raw": tags(raw),
            "exif": plain(exif),
        }
        tc = p0.tags.valueof(51043)
        if tc is not None:
            b = bytes(tc)
            rec["timecode"] = "%02d:%02d:%02d:%02d" % (
                bcd(b[3] & 0x3F), bcd(b[2] & 0x7F), bcd(b[1] & 0x7F), bcd(b[0] & 0x3F))
        out[path] = rec
print(json.dumps(out))
