#!/usr/bin/env python3
"""An independent reader of C2SP tlog-cosignature/v1 (Ed25519) cosignatures, written from the spec
(https://c2sp.org/tlog-cosignature) with the `cryptography` package and nothing of lineage:

    check_cosignature.py BUNDLE.json WITNESS-VKEY...

Reads the bundle's checkpoint (a signed note), and for each witness verifier key
(NAME+KEYID+base64(0x04 || key)) prints `cosigned NAME TIMESTAMP` when the note carries a valid
cosignature by it, `missing NAME` otherwise. Exits 1 if any given witness did not cosign.
"""
import base64, hashlib, json, struct, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.exceptions import InvalidSignature


def parse_vkey(text):
    name, key_id, blob = text.strip().split("+", 2)
    raw = base64.b64decode(blob)
    assert raw[0] == 0x04 and len(raw) == 33, "not an Ed25519 cosignature key"
    expected = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    assert expected.hex() == key_id, "key id does not match"
    return name, expected, Ed25519PublicKey.from_public_bytes(raw[1:])


def main():
    bundle = json.load(open(sys.argv[1]))
    note = bundle["checkpoint"]
    body, signatures = note.split("\n\n", 1)
    body += "\n"
    lines = [line for line in signatures.split("\n") if line]
    ok = True
    for vkey in sys.argv[2:]:
        name, key_id, public = parse_vkey(open(vkey).read() if not "+" in vkey else vkey)
        found = None
        for line in lines:
            dash, signer, value = line.split(" ", 2)
            raw = base64.b64decode(value)
            if dash != "\u2014" or signer != name or raw[:4] != key_id or len(raw) != 76:
                continue
            timestamp = struct.unpack(">Q", raw[4:12])[0]
            message = b"cosignature/v1\ntime %d\n" % timestamp + body.encode()
            try:
                public.verify(raw[12:], message)
                found = timestamp
            except InvalidSignature:
                pass
        if found is None:
            ok = False
            print("missing", name)
        else:
            print("cosigned", name, found)
    sys.exit(0 if ok else 1)


main()
