"""capture.py — the checks PostHog's capture API makes on a `/batch/` body,
as pure functions (no sockets, no clock), so the sink and its tests share
one definition of "a body PostHog would accept".

Order follows PostHog's capture service (rust/capture): decode (gzip, then
JSON) → empty batch → token (api_key) → each event. A failure is a
`Refusal(status, code, detail, attr)`; its `.body()` is the JSON error
document PostHog's capture answers with ({"type", "code", "detail", "attr"}).
Python 3 standard library only.
"""

import datetime
import json
import uuid as uuidlib
import zlib

# PostHog's messages, so a client (or a person reading a log) sees the same
# words it would see from the real service.
AUTH_DETAIL = ("Project API key invalid. You can find your project API key "
               "in PostHog project settings.")
NO_KEY_DETAIL = ("API key not provided. You can find your project API key "
                 "in PostHog project settings.")


class Refusal(Exception):
    """A request the capture API refuses: HTTP @status plus PostHog's
    error document fields."""

    def __init__(self, status, code, detail, attr=None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.attr = attr

    @property
    def kind(self):
        return "authentication_error" if self.status == 401 else "validation_error"

    def body(self):
        return {"type": self.kind, "code": self.code,
                "detail": self.detail, "attr": self.attr}


def too_large(limit):
    return Refusal(413, "payload_too_large",
                   "uncompressed body exceeds %d bytes" % limit)


def decode_body(raw, gzipped, limit):
    """The uncompressed body of a request: @raw inflated when @gzipped.

    Inflates at most @limit + 1 bytes, so a small gzip member that expands
    to gigabytes costs the sink nothing before it answers 413."""
    if not gzipped:
        if len(raw) > limit:
            raise too_large(limit)
        return raw
    # 16 + MAX_WBITS: a gzip header and trailer (CRC, length) are required.
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(raw, limit + 1)
        if d.unconsumed_tail or len(out) > limit:
            raise too_large(limit)
        out += d.flush()
    except zlib.error as e:
        raise Refusal(400, "invalid_payload",
                      "Malformed request data: invalid gzip body (%s)" % e)
    if len(out) > limit:
        raise too_large(limit)
    if not d.eof:
        raise Refusal(400, "invalid_payload",
                      "Malformed request data: truncated gzip body")
    if d.unused_data:
        raise Refusal(400, "invalid_payload",
                      "Malformed request data: bytes after the gzip member")
    return out


def parse_json(text):
    """The JSON document in @text (bytes, UTF-8); 400 if it is not one."""
    try:
        return json.loads(text.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise Refusal(400, "invalid_payload",
                      "Malformed request data: body is not UTF-8 (%s)" % e)
    except ValueError as e:
        raise Refusal(400, "invalid_payload",
                      "Malformed request data: invalid JSON (%s)" % e)


def is_iso8601(value):
    """True for an ISO-8601 date-time string ('2026-11-25T12:21:11.703Z')."""
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        datetime.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def batch_uuids(doc):
    """The uuid strings of a parsed body's events, best effort (for the
    request log, also for bodies that are refused)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("batch"), list):
        return []
    return [e.get("uuid") for e in doc["batch"]
            if isinstance(e, dict) and isinstance(e.get("uuid"), str)]


def _shape(attr, detail):
    return Refusal(400, "invalid_payload", detail, attr)


def check_event(i, ev):
    """Refuse event number @i of a batch unless it has the shape PostHog
    requires of a batch event."""
    at = "batch[%d]" % i
    if not isinstance(ev, dict):
        raise _shape(at, "%s: event is not an object" % at)
    if not isinstance(ev.get("event"), str) or not ev["event"]:
        raise _shape(at + ".event", "%s: missing event name" % at)
    props = ev.get("properties")
    if not isinstance(props, dict):
        raise _shape(at + ".properties", "%s: properties is not an object" % at)
    did = ev.get("distinct_id", props.get("distinct_id"))
    if not isinstance(did, str) or not did:
        raise _shape(at + ".distinct_id",
                     "%s: missing distinct_id (neither distinct_id nor "
                     "properties.distinct_id is a non-empty string)" % at)
    if "timestamp" in ev and not is_iso8601(ev["timestamp"]):
        raise _shape(at + ".timestamp",
                     "%s: timestamp is not an ISO-8601 date-time string" % at)
    u = ev.get("uuid")
    if not isinstance(u, str):
        raise _shape(at + ".uuid", "%s: missing uuid" % at)
    try:
        uuidlib.UUID(u)
    except ValueError:
        raise _shape(at + ".uuid", "%s: uuid %r is not a UUID" % (at, u))


def check_batch(doc, api_key=None, reject_if=()):
    """Refuse a parsed body unless PostHog would accept it.

    @api_key: when set, the only key accepted. @reject_if: (key, value)
    pairs; an event whose properties[key] == value (as a string) refuses
    the whole batch with 400, the way a server that rejects one event does."""
    if not isinstance(doc, dict):
        raise _shape(None, "body is not a JSON object")
    batch = doc.get("batch")
    if not isinstance(batch, list):
        raise _shape("batch", "batch is missing or not a list")
    if not batch:
        raise _shape("batch", "Empty batch")
    key = doc.get("api_key")
    if not isinstance(key, str) or not key:
        raise Refusal(401, "missing_api_key", NO_KEY_DETAIL)
    if api_key is not None and key != api_key:
        raise Refusal(401, "invalid_api_key", AUTH_DETAIL)
    if "sent_at" in doc and not is_iso8601(doc["sent_at"]):
        raise _shape("sent_at", "sent_at is not an ISO-8601 date-time string")
    for i, ev in enumerate(batch):
        check_event(i, ev)
    for i, ev in enumerate(batch):
        for k, v in reject_if:
            got = ev["properties"].get(k)
            if got is not None and _as_text(got) == v:
                raise Refusal(400, "invalid_event",
                              "batch[%d]: event %s rejected (properties.%s == %r)"
                              % (i, ev["uuid"], k, v), "batch[%d]" % i)


def _as_text(value):
    """A property value as the string --reject-event-if compares with."""
    if isinstance(value, str):
        return value
    return json.dumps(value)
