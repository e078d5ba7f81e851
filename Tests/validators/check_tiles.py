#!/usr/bin/env python3
"""An independent tlog-tiles reader (c2sp.org/tlog-tiles), as a verifier or mirror would be:
check_tiles.py DIR-OR-URL KEY [INDEX...] (a URL: a served /tiles/ prefix, with the token in $LINEAGE_TOKEN). It verifies the checkpoint's Ed25519 signature by KEY (a signed-note
verifier key, NAME+KEYID+BASE64), recomputes every tile from the entry bundles, recomputes the tree's
root from the tiles alone and compares it with the checkpoint's, and, for each INDEX, builds an
inclusion proof from the tiles and checks it (RFC 9162). Prints one line per check; exits 1 on any failure."""
import base64, hashlib, os, struct, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

def fail(message):
    print("FAILED: " + message)
    sys.exit(1)

def path(level, index, width=None):
    elements = []
    while True:
        elements.insert(0, "%03d" % (index % 1000))
        index //= 1000
        if index == 0:
            break
    encoded = "/".join(("x" + e) if i < len(elements) - 1 else e for i, e in enumerate(elements))
    return "tile/%s/%s%s" % ("entries" if level is None else level, encoded, "" if width is None else ".p/%d" % width)

def read(directory, relative):
    if directory.startswith("http://") or directory.startswith("https://"):
        # A served log (lineage serve at /tiles/): the token in $LINEAGE_TOKEN.
        import urllib.request
        request = urllib.request.Request(directory.rstrip("/") + "/" + relative,
                                         headers={"Authorization": "Bearer " + os.environ.get("LINEAGE_TOKEN", "")})
        with urllib.request.urlopen(request) as response:
            return response.read()
    with open(os.path.join(directory, relative), "rb") as f:
        return f.read()

def leaf(data):
    return hashlib.sha256(b"\x00" + data).digest()

def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()

def mth(hashes):
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node(mth(hashes[:k]), mth(hashes[k:]))

def proof(index, hashes):
    if len(hashes) == 1:
        return []
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    if index < k:
        return proof(index, hashes[:k]) + [mth(hashes[k:])]
    return proof(index - k, hashes[k:]) + [mth(hashes[:k])]

def verify_inclusion(index, size, leaf_hash, audit, root):
    # RFC 9162, section 2.1.3.2
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in audit:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root

def main():
    directory, key = sys.argv[1], sys.argv[2]
    indices = [int(i) for i in sys.argv[3:]]
    note = read(directory, "checkpoint").decode()
    text, _, signatures = note.partition("\n\n")
    text += "\n"
    origin, size_text, root_text = text.split("\n")[:3]
    size, root = int(size_text), base64.b64decode(root_text)
    name, key_id, key_b64 = key.strip().split("+", 2)  # base64 may hold "+"; names may not
    key_bytes = base64.b64decode(key_b64)
    if key_bytes[0] != 1:
        fail("the key is not an Ed25519 signed-note key")
    verified = False
    for line in signatures.strip().split("\n"):
        if not line.startswith("\u2014 " + name + " "):
            continue
        signature = base64.b64decode(line.split(" ")[2])
        if signature[:4].hex() != key_id:
            continue
        Ed25519PublicKey.from_public_bytes(key_bytes[1:]).verify(signature[4:], text.encode())
        verified = True
    if not verified:
        fail("no signature by %s on the checkpoint" % name)
    print("OK: checkpoint of %s, size %d, signed by %s" % (origin, size, name))
    # Level 0 from the entry bundles: every entry hashes to its tile's hash.
    leaves = []
    for n in range(0, (size + 255) // 256):
        width = min(256, size - n * 256)
        partial = None if width == 256 else width
        bundle = read(directory, path(None, n, partial))
        entries, offset = [], 0
        while offset < len(bundle):
            (length,) = struct.unpack(">H", bundle[offset:offset + 2])
            entries.append(bundle[offset + 2:offset + 2 + length])
            offset += 2 + length
        tile = read(directory, path(0, n, partial))
        hashes = [tile[i:i + 32] for i in range(0, len(tile), 32)]
        if len(entries) != width or len(hashes) != width:
            fail("tile %d holds %d entries and %d hashes, not %d" % (n, len(entries), len(hashes), width))
        for i, entry in enumerate(entries):
            if leaf(entry) != hashes[i]:
                fail("entry %d does not hash to its level-0 tile hash" % (n * 256 + i))
        leaves += hashes
    # Higher levels: each hash is the root of a full tile below.
    level, below = 1, leaves
    while 256 ** level <= size:
        count = size // 256 ** level
        hashes = []
        for n in range(0, (count + 255) // 256):
            width = min(256, count - n * 256)
            tile = read(directory, path(level, n, None if width == 256 else width))
            hashes += [tile[i:i + 32] for i in range(0, len(tile), 32)]
        for i, h in enumerate(hashes):
            if mth(below[i * 256:(i + 1) * 256]) != h:
                fail("level-%d hash %d is not the root of its tile below" % (level, i))
        below, level = hashes, level + 1
    if mth(leaves) != root:
        fail("the root recomputed from the tiles is not the checkpoint's")
    print("OK: root recomputed from %d leaf hashes in tiles matches the checkpoint" % size)
    for index in indices:
        if not verify_inclusion(index, size, leaves[index], proof(index, leaves), root):
            fail("the inclusion proof of entry %d does not verify" % index)
        print("OK: entry %d is included (proof of %d hashes from the tiles)" % (index, len(proof(index, leaves))))

if __name__ == "__main__":
    main()
