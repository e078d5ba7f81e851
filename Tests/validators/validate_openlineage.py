"""Validates OpenLineage RunEvents (NDJSON on stdin or in a file) against the OpenLineage 2-0-2 schemas.

    python3 validate_openlineage.py SCHEMA_DIR [EVENTS.ndjson]

Loads OpenLineage.json and every facets/*.json into a referencing.Registry, validates each event against
#/$defs/RunEvent with Draft202012Validator and a FormatChecker, then each facet against the schema its
_schemaURL names. Prints "N events valid" and exits 0, or prints the first error and exits 1.
"""
import glob
import json
import os
import sys

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource


def main():
    schema_dir = sys.argv[1]
    source = open(sys.argv[2]) if len(sys.argv) > 2 else sys.stdin
    resources = []
    for path in [os.path.join(schema_dir, "OpenLineage.json")] + sorted(glob.glob(os.path.join(schema_dir, "facets", "*.json"))):
        schema = json.load(open(path))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry = Registry().with_resources(resources)
    checker = FormatChecker()
    run_event = Draft202012Validator({"$ref": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"},
                                     registry=registry, format_checker=checker)
    count = facets = 0
    for number, line in enumerate(source, 1):
        if not line.strip():
            continue
        event = json.loads(line)
        run_event.validate(event)
        holders = [event["run"], event["job"]] + event.get("inputs", []) + event.get("outputs", [])
        for holder in holders:
            for facet in holder.get("facets", {}).values():
                Draft202012Validator({"$ref": facet["_schemaURL"]}, registry=registry, format_checker=checker).validate(facet)
                facets += 1
        count += 1
    print("%d events valid, %d facets valid" % (count, facets))


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # the first validation error, in one line
        print("invalid: %s" % str(error).split("\n")[0])
        sys.exit(1)
