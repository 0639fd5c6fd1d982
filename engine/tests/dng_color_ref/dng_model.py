"""Independent DNG colour model computation for the dng_color_model conformance test.

Reads a JSON list of cases on stdin (DNG colour tags as numbers plus a white-balance choice) and
prints, per case, what colour-hdri's Adobe DNG model (with colour-science primitives) gives:
white xy, CCT and tint, camera neutral, camera -> XYZ (D50) and white-balanced camera ->
ACES2065-1.

Where colour-hdri deviates from the DNG specification / SDK, the inputs are arranged here so it
computes the spec-correct result (each place says which clause decides).
"""

import json
import signal
import sys
import warnings

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import colour  # noqa: E402
import colour.temperature.robertson1968 as robertson  # noqa: E402
import colour_hdri  # noqa: E402
from colour_hdri.models import CCS_ILLUMINANT_ADOBEDNG  # noqa: E402

# The DNG SDK (dng_temperature.cpp) uses Robertson's table exactly as printed in Wyszecki &
# Stiles, with u = 0.24702 on the 325 mired line; colour-science applies Lindbloom's correction
# (0.24792). The DNG specification leaves the CCT method to the SDK, whose rendering is the
# reference: use its table.
robertson.DATA_ISOTEMPERATURE_LINES_ROBERTSON1968 = tuple(
    (r, 0.24702 if r == 325 else u, v, t)
    for (r, u, v, t) in robertson.DATA_ISOTEMPERATURE_LINES_ROBERTSON1968
)

D50 = np.array(CCS_ILLUMINANT_ADOBEDNG, dtype=float)  # x 0.3457, y 0.3585


def timeout(_signum, _frame):
    raise RuntimeError("colour-hdri did not converge within 30 s")


def mat(v):
    return None if v is None else np.array(v, dtype=float).reshape(3, 3)


def normalise_forward(fm):
    # DNG SDK (dng_camera_profile::NormalizeForwardMatrix): rows scaled so that camera
    # (1, 1, 1) maps exactly to the D50 PCS white. colour-hdri uses the tag as stored.
    white = colour.xy_to_XYZ(D50)
    return np.diag(white / (fm @ np.ones(3))) @ fm


def xy_to_temperature(xy):
    uv = colour.UCS_to_uv(colour.XYZ_to_UCS(colour.xy_to_XYZ(xy)))
    cct, d = colour.temperature.uv_to_CCT_Robertson1968(uv)
    # colour returns -D_uv; the DNG SDK's tint is -3000 x D_uv.
    return float(cct), float(d) * 3000.0


def temperature_to_xy(kelvin, tint):
    uv = colour.temperature.CCT_to_uv_Robertson1968(np.array([kelvin, tint / 3000.0]))
    return colour.UCS_uv_to_xy(uv)


def solve(case):
    cm1, cm2 = mat(case["cm1"]), mat(case["cm2"])
    cc1, cc2 = mat(case["cc1"]), mat(case["cc2"])
    fm1, fm2 = mat(case["fm1"]), mat(case["fm2"])
    ab = np.array(case["ab"] or [1.0, 1.0, 1.0], dtype=float)
    cct1, cct2 = case["cct1"], case["cct2"]
    identity = np.identity(3)
    cc1 = identity if cc1 is None else cc1
    cc2 = identity if cc2 is None else cc2
    # One forward matrix serves both calibrations (DNG SDK FindXYZtoCamera: has1 / has2);
    # colour-hdri would interpolate the missing one as an identity matrix.
    fm1 = fm2 if fm1 is None else fm1
    fm2 = fm1 if fm2 is None else fm2
    if fm1 is not None:
        fm1, fm2 = normalise_forward(fm1), normalise_forward(fm2)
    else:
        # colour-hdri's convention for "no ForwardMatrix tags".
        fm1 = fm2 = identity
    if cm2 is None or cct1 == cct2:
        # DNG spec: a profile with one calibration uses it for every white (the SDK copies
        # calibration 1 into slot 2). colour-hdri needs both slots filled consistently.
        cm2, cc2, fm2 = cm1, cc1, fm1
        cct1 = cct2 = 5000.0
    elif cct1 > cct2:
        # DNG spec: interpolate by inverse temperature between the two calibrations, whichever
        # order the tags list them in. colour-hdri's matrix_interpolated assumes CCT_1 < CCT_2.
        cct1, cct2 = cct2, cct1
        cm1, cm2 = cm2, cm1
        cc1, cc2 = cc2, cc1
        fm1, fm2 = fm2, fm1
    args = (cct1, cct2, cm1, cm2, cc1, cc2, ab)

    mode = case["mode"]
    if "neutral" in mode:
        neutral = np.array(mode["neutral"], dtype=float)
        neutral = neutral / neutral[1]
        xy = colour_hdri.camera_neutral_to_xy(neutral, *args)
    else:
        if "xy" in mode:
            xy = np.array(mode["xy"], dtype=float)
        else:
            xy = temperature_to_xy(mode["kelvin"], mode["tint"])
        neutral = colour_hdri.xy_to_camera_neutral(xy, *args)
    kelvin, tint = xy_to_temperature(xy)
    camera_to_xyz = colour_hdri.matrix_camera_space_to_XYZ(
        xy, *args, fm1, fm2, chromatic_adaptation_transform="Bradford"
    )
    aces = colour.RGB_COLOURSPACES["ACES2065-1"]
    cat = colour.adaptation.matrix_chromatic_adaptation_VonKries(
        colour.xy_to_XYZ(D50), colour.xy_to_XYZ(aces.whitepoint), "Bradford"
    )
    raw = aces.matrix_XYZ_to_RGB @ cat @ camera_to_xyz @ np.diag(neutral)
    camera_to_aces = raw / (raw @ np.ones(3))[1]
    return {
        "name": case["name"],
        "xy": [float(v) for v in xy],
        "kelvin": kelvin,
        "tint": tint,
        "neutral": [float(v) for v in neutral],
        "camera_to_xyz_d50": camera_to_xyz.tolist(),
        "camera_to_aces": camera_to_aces.tolist(),
    }


def main():
    signal.signal(signal.SIGALRM, timeout)
    signal.alarm(30)
    cases = json.load(sys.stdin)
    json.dump([solve(c) for c in cases], sys.stdout)


if __name__ == "__main__":
    main()
