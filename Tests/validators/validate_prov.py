"""Validates a PROV-JSON document: it must load with the `prov` package and validate against the PROV-JSON
schema that package ships (prov/tests/schemas/prov-json.schema.json).

    python3 validate_prov.py DOCUMENT.json

Prints counts of what `prov` read and exits 0, or prints the error and exits 1.
"""
import json
import os
import sys

import prov
from jsonschema import Draft7Validator
from prov.model import ProvDocument


def main():
    text = open(sys.argv[1]).read()
    schema_path = os.path.join(os.path.dirname(prov.__file__), "tests", "schemas", "prov-json.schema.json")
    Draft7Validator(json.load(open(schema_path))).validate(json.loads(text))
    document = ProvDocument.deserialize(content=text, format="json")
    records = document.get_records()
    print("%d PROV records valid (%d entities, %d activities, %d agents)" % (
        len(records), len(list(document.get_records(prov.model.ProvEntity))),
        len(list(document.get_records(prov.model.ProvActivity))), len(list(document.get_records(prov.model.ProvAgent)))))


if __name__ == "__main__":
    try:
        main()
    except Exception as error:
        print("invalid: %s" % str(error).split("\n")[0])
        sys.exit(1)
