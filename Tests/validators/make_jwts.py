"""make_jwts.py DIR ISSUER AUDIENCE: plays an identity provider with PyJWT and cryptography. Writes DIR/jwks.json
(the public key of a new EC P-256 signing key, as a provider's jwks_uri serves it) and DIR/tokens.json, a JWT
per case: valid ones for a reader and an admin, and ones that must be refused (another key, another issuer,
another audience, expired, no role, an unsigned `none` token)."""
import json, sys, time
import jwt
from cryptography.hazmat.primitives.asymmetric import ec

directory, issuer, audience = sys.argv[1:4]
key, other = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
public.update(kid="k1", alg="ES256", use="sig")
json.dump({"keys": [public]}, open(f"{directory}/jwks.json", "w"))
now = int(time.time())

def token(signer=key, kid="k1", **claims):
    body = {"iss": issuer, "aud": audience, "sub": "u-1", "exp": now + 600, "iat": now, "jti": "session-1"}
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, signer, algorithm="ES256", headers={"kid": kid} if kid else None)

tokens = {
    "reader": token(email="dana@example.com", lineage_roles=["reader"]),
    "admin": token(email="erin@example.com", lineage_roles="admin"),
    "readerWithoutKid": token(kid=None, email="dana@example.com", lineage_roles=["reader"]),
    "otherKey": token(other, email="mallory@example.com", lineage_roles=["admin"]),
    "otherIssuer": token(iss="https://evil.example.com", lineage_roles=["admin"]),
    "otherAudience": token(aud="another-service", lineage_roles=["admin"]),
    "expired": token(exp=now - 60, lineage_roles=["admin"]),
    "noRole": token(email="fred@example.com"),
    "none": jwt.encode({"iss": issuer, "aud": audience, "sub": "u-1", "exp": now + 600, "lineage_roles": ["admin"]}, None, algorithm="none"),
}
json.dump(tokens, open(f"{directory}/tokens.json", "w"))
