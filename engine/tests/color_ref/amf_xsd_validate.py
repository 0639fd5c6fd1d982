"""Validates AMF files against the AMF XSD with lxml (rushes conformance tests).

argv[1]: the schema (acesMetadataFile.xsd). stdin: JSON list of file paths.
stdout: JSON list of {"valid": bool, "error": str} in the same order.
"""
import json
import sys

from lxml import etree

schema = etree.XMLSchema(etree.parse(sys.argv[1]))
results = []
for path in json.load(sys.stdin):
    try:
        doc = etree.parse(path)
    except etree.XMLSyntaxError as e:
        results.append({"valid": False, "error": f"syntax: {e}"})
        continue
    ok = schema.validate(doc)
    results.append({"valid": bool(ok), "error": "" if ok else str(schema.error_log.last_error)})
json.dump(results, sys.stdout)
