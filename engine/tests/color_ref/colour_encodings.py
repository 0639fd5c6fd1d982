"""Encodes linear values with colour-science's transfer functions (rushes conformance tests).

stdin: JSON {"values": [...]}; stdout: JSON {"<name>": [encoded...]} for each encoding, and
"<name>_inverse" decoding the same values as code values. PQ works in cd/m^2 (1.0 = 100 nits
on the rushes side, so the caller scales).
"""
import json
import sys

import numpy as np
import colour

values = np.asarray(json.load(sys.stdin)["values"], dtype=np.float64)
codes = np.clip(values, 0.0, 1.0)
out = {
    "acescct": colour.models.log_encoding_ACEScct(values),
    "acescct_inverse": colour.models.log_decoding_ACEScct(codes),
    "acescc": colour.models.log_encoding_ACEScc(np.maximum(values, 0.0)),
    "acescc_inverse": colour.models.log_decoding_ACEScc(codes),
    "srgb": colour.models.eotf_inverse_sRGB(values),
    "srgb_inverse": colour.models.eotf_sRGB(values),
    "bt1886": colour.models.eotf_inverse_BT1886(np.maximum(values, 0.0)),
    "bt1886_inverse": colour.models.eotf_BT1886(codes),
    "gamma26": colour.gamma_function(np.maximum(values, 0.0), 1 / 2.6),
    "gamma26_inverse": colour.gamma_function(codes, 2.6),
    "pq": colour.models.eotf_inverse_ST2084(np.clip(values, 0.0, 100.0) * 100.0),
    "pq_inverse": colour.models.eotf_ST2084(codes) / 100.0,
}
json.dump({k: [float(x) for x in np.asarray(v).reshape(-1)] for k, v in out.items()}, sys.stdout)
