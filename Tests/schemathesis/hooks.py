"""Schemathesis hooks for lineage serve: POST /v1/records takes NDJSON, which schemathesis does not serialize
by itself. A generated body (a string, per the schema) is sent as its UTF-8 bytes."""
import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")
