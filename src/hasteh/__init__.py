"""hasteh (هسته, "cell"): a secure organizing suite for small clandestine workers' cells.

Layers, from the bottom (an import may only point downward):

    cli, web  ->  app  ->  org, mls, vault, transport, publish
                                     transport ->  (envelope format shared with) relay

`hasteh.mls` and `hasteh.org` are sans-I/O: bytes in, bytes out.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
