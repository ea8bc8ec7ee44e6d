"""`hasteh.mls`: RFC 9420 (Messaging Layer Security) in pure Python — hasteh's hazmat layer.

Low-level: use `hasteh.app` unless you are implementing protocol code. Sans-I/O: bytes in,
bytes out; no files, clocks, sockets or global randomness (an `rng` is passed in). This
package imports nothing else from hasteh.
"""
