"""The relay API as an OpenAPI 3.0 document, written by hand and served at /openapi.json.

tests/relay/test_schema.py runs schemathesis against it: no 5xx, no response outside it.
"""

from __future__ import annotations

from typing import Any

from hasteh.envelope import MAX_ENVELOPE_SIZE


def _error(description: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {"error": {"type": "string"}, "detail": {"type": "string"}}
    props.update(extra or {})
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["error", "detail"],
                    "properties": props,
                }
            }
        },
    }


_RATE = _error("Too many requests on this connection")
_BUDGET = _error(
    "Too many requests on this connection (rate_limited), or the write key used its daily"
    " budget (budget_exhausted, with retry_after in seconds)",
    {"retry_after": {"type": "integer", "minimum": 1}},
)
_HEX32 = {"type": "string", "pattern": "^[0-9a-f]{32}$"}
_HEX64 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}


_SLOT = {"type": "integer", "minimum": 1, "maximum": 99_999_999}
_SIDE = {"type": "string", "enum": ["a", "b"]}
_INDEX = {"type": "integer", "minimum": 0, "maximum": 16}


def _json_ok(description: str, props: dict[str, Any]) -> dict[str, Any]:
    schema = {"type": "object", "required": sorted(props), "properties": props}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _json_body(required: list[str], props: dict[str, Any]) -> dict[str, Any]:
    schema = {
        "type": "object",
        "required": required,
        "additionalProperties": False,
        "properties": props,
    }
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _header(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": name == "Hasteh-Write",
        "description": description,
        "schema": schema,
    }


_WRITE_HEADERS = [
    _header(
        "Hasteh-Write",
        "Write key id (16 bytes) then write tag (16 bytes), in lowercase hex",
        {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    ),
    _header("Hasteh-Claim", "Claim whose SHA-256 (labelled) is the mailbox id", _HEX64),
    _header("Hasteh-Key", "The write key a claim registers", _HEX64),
    _header(
        "Hasteh-Claim-Epoch",
        "The epoch the claimed key is registered for",
        {"type": "string", "pattern": "^[0-9]{1,19}$"},
    ),
    _header("Hasteh-Next-Key", "On a commit: the key of epoch E + 1", _HEX64),
    _header("Hasteh-Retire", "On a commit: retire every key of epoch <= E", {"enum": ["1"]}),
]
_TIMEOUT = _error("The request body arrived too slowly")
_TOO_LARGE = _error("The body is larger than allowed")
_UNAVAILABLE = _error("Storage is failing; nothing was stored")

SCHEMA: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "hasteh relay",
        "version": "1",
        "description": "A blind store-and-forward relay for hasteh envelopes (docs/protocol.md).",
    },
    "paths": {
        "/healthz": {
            "get": {
                "operationId": "healthz",
                "responses": {
                    "200": {
                        "description": "The relay and its database answer",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["status"],
                                    "properties": {"status": {"type": "string", "enum": ["ok"]}},
                                }
                            }
                        },
                    },
                    "503": _UNAVAILABLE,
                },
            }
        },
        "/v1/envelopes": {
            "post": {
                "operationId": "postEnvelope",
                "parameters": _WRITE_HEADERS,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/octet-stream": {
                            "schema": {
                                "type": "string",
                                "format": "binary",
                                "maxLength": MAX_ENVELOPE_SIZE,
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "Stored (or already stored: the same answer again)",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["id", "cursor", "stamp"],
                                    "properties": {
                                        "id": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                        "cursor": {"type": "string", "pattern": "^[0-9]+$"},
                                        "stamp": {"type": "integer"},
                                        "epoch": {"type": "integer", "minimum": 1},
                                        "earlier_commits": {"type": "integer", "minimum": 0},
                                        "key_registered": {"type": "boolean"},
                                    },
                                }
                            }
                        },
                    },
                    "400": _error(
                        "Not a valid envelope (bad_envelope), bad write headers"
                        " (bad_write_auth), or a claim that is not this mailbox's (bad_claim)"
                    ),
                    "403": _error(
                        "The write key may not post this (not_allowed), or the mailbox has"
                        " reached its size quota (mailbox_full)"
                    ),
                    "408": _TIMEOUT,
                    "409": _error("The mailbox is already claimed (already_claimed)"),
                    "413": _TOO_LARGE,
                    "429": _BUDGET,
                    "503": _UNAVAILABLE,
                    "507": _error("The relay is full (relay_full)"),
                },
            }
        },
        "/v1/fetch": {
            "post": {
                "operationId": "fetch",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["mailbox"],
                                "additionalProperties": False,
                                "properties": {
                                    "mailbox": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                    "after": {"type": "string", "pattern": "^[0-9]{1,18}$"},
                                    "limit": {"type": "integer", "minimum": 1, "maximum": 1000},
                                    "wait": {"type": "number", "minimum": 0, "maximum": 30},
                                    "key": {**_HEX32, "nullable": True},
                                    "tag": {**_HEX32, "nullable": True},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "Envelopes after the cursor, oldest first",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["envelopes", "stamps", "cursor", "epoch", "more"],
                                    "properties": {
                                        "envelopes": {
                                            "type": "array",
                                            "items": {"type": "string", "format": "byte"},
                                        },
                                        "stamps": {"type": "array", "items": {"type": "integer"}},
                                        "seqs": {"type": "array", "items": {"type": "integer"}},
                                        "cursor": {"type": "string", "pattern": "^[0-9]+$"},
                                        "epoch": {"type": "integer", "nullable": True},
                                        "more": {"type": "boolean"},
                                    },
                                }
                            }
                        },
                    },
                    "400": _error("The body is not UTF-8 JSON"),
                    "403": _error("A claimed mailbox needs a current key and its fetch tag"),
                    "408": _TIMEOUT,
                    "413": _TOO_LARGE,
                    "422": _error("The JSON does not match the request schema"),
                    "429": _RATE,
                    "503": _UNAVAILABLE,
                },
            }
        },
        "/v1/rendezvous/open": {
            "post": {
                "operationId": "rendezvousOpen",
                "description": "Open a short-lived slot for a spoken-code invitation",
                "requestBody": {
                    "required": False,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "responses": {
                    "200": _json_ok(
                        "The slot's number and when it expires",
                        {"slot": _SLOT, "expires": {"type": "integer"}},
                    ),
                    "408": _TIMEOUT,
                    "413": _TOO_LARGE,
                    "429": _RATE,
                    "503": _error("No slot is free (busy)"),
                },
            }
        },
        "/v1/rendezvous/post": {
            "post": {
                "operationId": "rendezvousPost",
                "requestBody": _json_body(
                    ["slot", "side", "index", "message"],
                    {
                        "slot": _SLOT,
                        "side": _SIDE,
                        "index": _INDEX,
                        "message": {"type": "string", "format": "byte"},
                    },
                ),
                "responses": {
                    "200": _json_ok(
                        "Written (or the same bytes again)", {"ok": {"type": "boolean"}}
                    ),
                    "400": _error("The body is not UTF-8 JSON"),
                    "404": _error("No such slot: expired or never opened (no_slot)"),
                    "408": _TIMEOUT,
                    "409": _error("Other bytes are there (taken), or a message was skipped"),
                    "413": _TOO_LARGE,
                    "422": _error("The JSON does not match the request schema"),
                    "429": _RATE,
                },
            }
        },
        "/v1/rendezvous/read": {
            "post": {
                "operationId": "rendezvousRead",
                "requestBody": _json_body(
                    ["slot", "side"],
                    {
                        "slot": _SLOT,
                        "side": _SIDE,
                        "after": _INDEX,
                        "wait": {"type": "number", "minimum": 0, "maximum": 30},
                    },
                ),
                "responses": {
                    "200": _json_ok(
                        "The side's messages from `after` on, and when the slot expires",
                        {
                            "messages": {
                                "type": "array",
                                "items": {"type": "string", "format": "byte"},
                            },
                            "expires": {"type": "integer"},
                        },
                    ),
                    "400": _error("The body is not UTF-8 JSON"),
                    "404": _error("No such slot: expired or never opened (no_slot)"),
                    "408": _TIMEOUT,
                    "413": _TOO_LARGE,
                    "422": _error("The JSON does not match the request schema"),
                    "429": _RATE,
                },
            }
        },
    },
}
