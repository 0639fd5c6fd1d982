"""Judge FDL documents with the ASC's own tools, for rushes' validator tests.

argv[1]: the FDL v2.0.1 JSON schema. stdin: JSON list of FDL documents (text).
stdout: JSON list, per document {"schema_errors": [str], "asc_fdl_ok": bool, "asc_fdl_error": str}.
"""
import json
import sys

import fdl
import jsonschema


def main():
    schema = json.load(open(sys.argv[1]))
    validator = jsonschema.Draft202012Validator(schema)
    out = []
    for text in json.load(sys.stdin):
        try:
            doc = json.loads(text)
            errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]
        except ValueError as e:
            errors = [f"not JSON: {e}"]
        try:
            fdl.read_from_string(text, validate=True)
            ok, err = True, ""
        except Exception as e:  # any refusal counts
            ok, err = False, f"{type(e).__name__}: {e}"
        out.append({"schema_errors": errors, "asc_fdl_ok": ok, "asc_fdl_error": err[:500]})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
