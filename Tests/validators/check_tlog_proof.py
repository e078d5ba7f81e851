#!/usr/bin/env python3
"""An independent reader of C2SP tlog-proofs (c2sp.org/tlog-proof@v1), from the spec and RFC 9162:
check_tlog_proof.py PROOF KEY. Verifies the checkpoint's Ed25519 signature by KEY (a signed-note
verifier key), hashes the `extra` bytes as the leaf (lineage puts the record's canonical bytes there),
checks the inclusion proof at `index` against the checkpoint's root, and prints the record. Exits 1
on any failure."""
import base64, hashlib, json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_tiles import fail, leaf, verify_inclusion  # the RFC 9162 verifier, written from the RFC
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def main():
    text = open(sys.argv[1]).read()
    head, _, note = text.partition("\n\n")
    lines = head.split("\n")
    if lines[0] != "c2sp.org/tlog-proof@v1":
        fail("not a tlog-proof")
    lines = lines[1:]
    extra = None
    if lines and lines[0].startswith("extra "):
        extra = base64.b64decode(lines.pop(0)[6:])
    if not lines or not lines[0].startswith("index "):
        fail("no index line")
    index = int(lines.pop(0)[6:])
    audit = [base64.b64decode(line) for line in lines]
    body, _, signatures = note.partition("\n\n")
    body += "\n"
    origin, size, root = body.split("\n")[:3]
    size, root = int(size), base64.b64decode(root)
    name, key_id, blob = sys.argv[2].strip().split("+", 2)
    raw = base64.b64decode(blob)
    signed = False
    for line in signatures.strip().split("\n"):
        dash, signer, value = line.split(" ", 2)
        signature = base64.b64decode(value)
        if signer == name and signature[:4].hex() == key_id:
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(signature[4:], body.encode())
            signed = True
    if not signed:
        fail("the checkpoint is not signed by " + name)
    if extra is None or not verify_inclusion(index, size, leaf(extra), audit, root):
        fail("the record is not leaf %d of the log of size %d" % (index, size))
    record = json.loads(extra)
    print("OK: leaf %d of %s (size %d): %s %s" % (index, origin, size, record.get("kind"), record.get("predictionId", record.get("name"))))


main()
