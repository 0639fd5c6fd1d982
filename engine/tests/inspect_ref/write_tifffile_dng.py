"""Writes a big-endian DNG with tifffile: an RGB preview in IFD 0, the CFA raw image in SubIFD 0,
DNG, CinemaDNG and TIFF/EP exposure tags in IFD 0 (no EXIF IFD). Usage: write_tifffile_dng.py OUT."""
import sys
import numpy as np
import tifffile

raw = (np.arange(40 * 64, dtype=np.uint32) % 4096).astype(np.uint16).reshape(40, 64)
preview = np.zeros((10, 16, 3), np.uint8)
ifd0 = [
    (271, "s", 0, "Tiff Maker", True),
    (272, "s", 0, "TM-2", True),
    (50706, "B", 4, (1, 6, 0, 0), True),
    (50708, "s", 0, "Tiff Maker TM-2", True),
    (50721, "2i", 9, (10000, 10000, -2000, 10000, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1), True),
    (50722, "2i", 9, (9000, 10000, -1000, 10000, 5, 100, -3, 10, 11, 10, 1, 20, 0, 1, -7, 100, 9, 10), True),
    (50728, "2I", 3, (1, 2, 1, 1, 2, 3), True),
    (50730, "2i", 1, (-1, 3), True),
    (50735, "s", 0, "TM2-0042", True),
    (50778, "H", 1, 21, True),
    (50779, "H", 1, 17, True),
    (51043, "B", 8, (0x45, 0x59, 0x59, 0x23, 0, 0, 0, 0), True),
    (51044, "2i", 1, (30000, 1001), True),
    (51058, "2I", 1, (56, 10), True),
    (51081, "s", 0, "A002C007_200101_X9ZZ", True),
    (51105, "s", 0, "A", True),
    (34855, "H", 1, 640, True),
    (33434, "2I", 1, (1, 48), True),
    (33437, "2I", 1, (4, 1), True),
    (37386, "2I", 1, (85, 2), True),
]
rawtags = [
    (33421, "H", 2, (2, 2), True),
    (33422, "B", 4, (2, 1, 1, 0), True),
    (50713, "H", 2, (2, 2), True),
    (50714, "2I", 4, (512, 1, 512, 1, 512, 1, 512, 1), True),
    (50717, "H", 1, 4095, True),
    (50718, "2I", 2, (13, 10, 1, 1), True),
    (50719, "I", 2, (2, 2), True),
    (50720, "I", 2, (60, 36), True),
    (50829, "I", 4, (0, 0, 40, 64), True),
]
with tifffile.TiffWriter(sys.argv[1], byteorder=">") as tif:
    tif.write(preview, photometric="rgb", subfiletype=1, subifds=1, extratags=ifd0)
    tif.write(raw, photometric="cfa", subfiletype=0, extratags=rawtags)
