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
                                    "required": ["id", "cursor"],
                                    "properties": {
                                        "id": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                        "cursor": {"type": "string", "pattern": "^[0-9]+$"},
                                        "epoch": {"type": "integer", "minimum": 1},
                                    },
                                }
                            }
                        },
                    },
                    "400": _error("Not a valid envelope"),
                    "403": _error("The mailbox has reached its size quota"),
                    "408": _TIMEOUT,
                    "409": _error(
                        "A commit for an epoch the mailbox is not at",
                        {"epoch": {"type": "integer", "nullable": True}},
                    ),
                    "413": _TOO_LARGE,
                    "429": _RATE,
                    "503": _UNAVAILABLE,
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
                                    "required": ["envelopes", "cursor", "epoch", "more"],
                                    "properties": {
                                        "envelopes": {
                                            "type": "array",
                                            "items": {"type": "string", "format": "byte"},
                                        },
                                        "cursor": {"type": "string", "pattern": "^[0-9]+$"},
                                        "epoch": {"type": "integer", "nullable": True},
                                        "more": {"type": "boolean"},
                                    },
                                }
                            }
                        },
                    },
                    "400": _error("The body is not JSON"),
                    "408": _TIMEOUT,
                    "413": _TOO_LARGE,
                    "422": _error("The JSON does not match the request schema"),
                    "429": _RATE,
                    "503": _UNAVAILABLE,
                },
            }
        },
    },
}
