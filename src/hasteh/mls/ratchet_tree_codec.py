"""The `ratchet_tree` extension's encoding (RFC 9420 §12.4.3.3): `optional<Node> ratchet_tree<V>`.

Nodes are listed in array order (Appendix C): leaf L at position 2L, parents at odd
positions, `None` for a blank node. The decoder enforces what makes the array meaningful
as a tree: it is non-empty, its last entry is non-blank (the receiver MUST check this,
§12.4.3.3), and leaves and parents sit at even and odd positions. Everything else (parent
hashes, tree hash, leaf validity) is tree validation (§12.4.3.1), done by the tree code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from .codec import Reader, Writer, decode_all, encode
from .errors import MLSDecodeError, UsageError
from .leaf_node import LeafNode
from .parent_node import ParentNode


class NodeType(IntEnum):
    """§7.8 NodeType."""

    LEAF = 1
    PARENT = 2


#: `Node` (§12.4.3.3): a leaf or a parent.
Node = LeafNode | ParentNode


def encode_node(w: Writer, node: Node) -> None:
    if isinstance(node, LeafNode):
        w.u8(NodeType.LEAF)
    else:
        w.u8(NodeType.PARENT)
    node.encode(w)


def decode_node(r: Reader) -> Node:
    node_type = r.u8()
    if node_type == NodeType.LEAF:
        return LeafNode.decode(r)
    if node_type == NodeType.PARENT:
        return ParentNode.decode(r)
    raise MLSDecodeError(f"unknown node type {node_type}")


def _encode_optional_node(w: Writer, node: Node | None) -> None:
    if node is None:
        w.u8(0)
    else:
        w.u8(1)
        encode_node(w, node)


def _decode_optional_node(r: Reader) -> Node | None:
    return r.optional(decode_node)


@dataclass(frozen=True, slots=True)
class RatchetTree:
    """The public ratchet tree as sent in the `ratchet_tree` extension (§12.4.3.3)."""

    nodes: tuple[Node | None, ...]

    def __post_init__(self) -> None:
        problem = _shape_problem(self.nodes)
        if problem:
            raise UsageError(problem)

    def encode(self, w: Writer) -> None:
        w.vector(self.nodes, _encode_optional_node)

    @classmethod
    def decode(cls, r: Reader) -> RatchetTree:
        nodes = tuple(r.vector(_decode_optional_node))
        problem = _shape_problem(nodes)
        if problem:
            raise MLSDecodeError(problem)
        return cls(nodes)

    def to_bytes(self) -> bytes:
        return encode(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> RatchetTree:
        return decode_all(data, cls.decode)


def _shape_problem(nodes: tuple[Node | None, ...]) -> str:
    if not nodes:
        return "a ratchet tree has at least one node"
    if nodes[-1] is None:
        return "a ratchet tree must not end with a blank node"
    for position, node in enumerate(nodes):
        if isinstance(node, LeafNode) and position % 2:
            return f"leaf node at odd position {position}"
        if isinstance(node, ParentNode) and not position % 2:
            return f"parent node at even position {position}"
    return ""
