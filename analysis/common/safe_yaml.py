"""YAML read with bounds: no anchors or aliases, a capped size, node count and depth.

A rules file is plain data a person edits. YAML's anchors and aliases (``&a`` … ``*a``) let a 33 KB file name
the same node billions of times ("billion laughs"): the loader would build it until memory runs out. So an
anchor or an alias is refused where the composer meets it (the event, not a pattern in the text), with the
line, and so is a document past ``MAX_YAML_BYTES`` characters, ``MAX_YAML_NODES`` nodes or ``MAX_YAML_DEPTH``
levels. Only the safe constructors run: no tag makes anything be executed.
"""
from __future__ import annotations

from typing import Any, Optional, Tuple

import yaml

MAX_YAML_BYTES = 1024 * 1024  # characters; the shipped rules file has 33 KB (read in 0.1 s)
MAX_YAML_NODES = 50_000  # the shipped rules file has about 1,550
MAX_YAML_DEPTH = 64  # the shipped rules file nests 7 deep

__all__ = ["MAX_YAML_BYTES", "MAX_YAML_DEPTH", "MAX_YAML_NODES", "BoundedSafeLoader", "YamlRefused",
           "dump_plain", "load_bounded"]


class YamlRefused(ValueError):
    """A YAML document refused by the bounds; ``line`` (1-based, 0 when none) and the Chinese / English reason."""

    def __init__(self, line: int, zh: str, en: str):
        self.line, self.zh, self.en = line, zh, en
        super().__init__(f"第 {line} 行：{zh} / line {line}: {en}" if line else f"{zh} / {en}")


class BoundedSafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` refusing anchors and aliases, and more than ``max_nodes`` nodes or ``max_depth``
    levels, while the document is composed (before anything is built)."""

    max_nodes = MAX_YAML_NODES
    max_depth = MAX_YAML_DEPTH

    def __init__(self, stream: Any):
        super().__init__(stream)
        self._nodes = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent):
            raise YamlRefused(line, f"不允许使用 YAML 别名 *{event.anchor}（锚点与别名会让很小的文件展开成极大的数据），"
                                    f"请直接写出内容",
                              f"YAML alias *{event.anchor} not allowed (anchors and aliases can expand a small file "
                              f"into huge data); write the content out")
        if getattr(event, "anchor", None) is not None:
            raise YamlRefused(line, f"不允许使用 YAML 锚点 &{event.anchor}，请直接写出内容",
                              f"YAML anchor &{event.anchor} not allowed; write the content out")
        self._nodes += 1
        if self._nodes > self.max_nodes:
            raise YamlRefused(line, f"节点超过 {self.max_nodes:,} 个，文件过大", f"more than {self.max_nodes:,} nodes")
        if self._depth >= self.max_depth:
            raise YamlRefused(line, f"嵌套超过 {self.max_depth} 层", f"nested more than {self.max_depth} levels")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_bounded(text: str, max_chars: int = MAX_YAML_BYTES) -> Tuple[Any, Optional[yaml.Node]]:
    """(data, node) of one YAML document: composed once with :class:`BoundedSafeLoader`, then built with the
    safe constructors. Raises :class:`YamlRefused` past a bound, ``yaml.YAMLError`` on bad YAML."""
    if len(text) > max_chars:
        raise YamlRefused(0, f"文件过大（{len(text):,} 个字符，上限 {max_chars:,}）",
                          f"document too large ({len(text):,} characters, limit {max_chars:,})")
    loader = BoundedSafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


class _PlainDumper(yaml.SafeDumper):
    """``yaml.SafeDumper`` that writes a shared object out each time instead of as an anchor and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_plain(data: Any, **kwargs: Any) -> str:
    """YAML text of ``data`` without anchors or aliases (what :func:`load_bounded` reads back)."""
    return yaml.dump(data, Dumper=_PlainDumper, **kwargs)
