"""The comment lines of a YAML map file, kept above their keys while ``fmt`` orders them.

ruamel.yaml keeps a comment line with whatever precedes it in the file: the value of the key
above, or the last value inside it when that value is a mapping or a list. Moving a key to
its place in the model's order would then leave the comment lines that stood above it above
another key. :class:`Comments` takes the lines off first, each given to the key or list item
that follows it in the file, and puts them back above that key once the keys are in order.
A comment on a key's own line stays there; the lines above the first key of the file or of
a mapping stay at its top, where ruamel keeps them apart.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

__all__ = ["Comments"]


class Comments:
    """The comment lines of a ruamel tree, by the key or list item they stand above."""

    def __init__(self) -> None:
        #: (id of the mapping or list, key or index) -> the lines above it, as written
        self.above: dict[tuple[int, Any], list[str]] = {}
        self.pending: list[str] = []
        self.nodes: list[Any] = []  # keeps the ids above valid

    def detach(self, node: Any) -> None:
        """Walk the tree in file order, taking the lines that follow each value off it."""
        if not isinstance(node, CommentedMap | CommentedSeq):
            return
        self.nodes.append(node)
        slot = 2 if isinstance(node, CommentedMap) else 0  # where ruamel keeps them
        for key in list(node) if isinstance(node, CommentedMap) else range(len(node)):
            if self.pending:
                self.above[(id(node), key)] = self.pending
                self.pending = []
            value = node[key]
            if isinstance(value, CommentedMap | CommentedSeq):
                self.detach(value)
                continue
            entry = node.ca.items.get(key)
            token = entry[slot] if entry and len(entry) > slot else None
            if token is None or not isinstance(token.value, str):
                continue
            end, rest = token.value.split("\n", 1) if "\n" in token.value else (token.value, "")
            if not rest:
                continue
            self.pending = rest.splitlines()
            if end.strip():
                token.value = end + "\n"  # the comment on the value's own line stays
            else:
                entry[slot] = None

    def attach(self, tree: Any) -> None:
        """Put the lines back above their keys and items, the keys now in order."""
        last = self._attach(tree, None)
        if self.pending and last is not None:  # the lines at the end stay at the end
            node, key, slot = last
            entry = node.ca.items.setdefault(key, [None, None, None, None])
            token = entry[slot]
            text = "\n".join(self.pending) + "\n"
            if token is None:
                entry[slot] = CommentToken("\n" + text, CommentMark(0), None)
            else:
                token.value = token.value + text

    def _attach(
        self, node: Any, parent: tuple[CommentedSeq, int] | None
    ) -> tuple[Any, Any, int] | None:
        """Attach below ``node``; the last value in it that can carry the end lines."""
        if not isinstance(node, CommentedMap | CommentedSeq):
            return None
        last: tuple[Any, Any, int] | None = None
        is_map = isinstance(node, CommentedMap)
        for i, key in enumerate(list(node) if is_map else range(len(node))):
            lines = self.above.pop((id(node), key), None)
            if lines:
                tokens = [_comment_line(line) for line in lines]
                if is_map and i == 0 and parent is not None:  # above "- key:", not inside
                    seq, index = parent
                    before = seq.ca.items.setdefault(index, [None, None, None, None])
                    tokens = [_comment_line(line, dedent=2) for line in lines]  # at the "-"
                else:
                    before = node.ca.items.setdefault(key, [None, None, None, None])
                before[1] = [*(before[1] or []), *tokens]
            value = node[key]
            if isinstance(value, CommentedMap | CommentedSeq):
                item = (node, key) if isinstance(node, CommentedSeq) else None
                last = self._attach(value, item) or last
            else:
                last = (node, key, 2 if is_map else 0)
        return last


def _comment_line(line: str, *, dedent: int = 0) -> CommentToken:
    """A comment line (or a blank one) as ruamel writes it above a key, indented as it was
    (less ``dedent``)."""
    text = line.lstrip(" ")
    column = max(0, len(line) - len(text) - dedent) if text else 0
    return CommentToken(text + "\n", CommentMark(column), None)
