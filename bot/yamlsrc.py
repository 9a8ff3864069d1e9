"""YAML reading that remembers where each value stands, for error reports."""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

_Loader: Any
try:  # the C loader is several times faster; pure Python is the fallback
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

Path_ = tuple[Any, ...]


@dataclass(frozen=True)
class Where:
    """A position in a file: 1-based line and column."""

    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or doubtful) in the content."""

    where: Where
    message: str
    hint: str = ""
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        w = self.where
        text = f"{w.file}:{w.line}:{w.column}: {self.severity}: {self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


@dataclass(frozen=True)
class Document:
    """A parsed YAML file: its data and the position of every key and item."""

    file: str
    data: Any
    positions: Mapping[Path_, Where]
    duplicate_keys: tuple[tuple[Path_, Where], ...]

    def where(self, *path: Any) -> Where:
        """The position of the value at `path`, or of its nearest parent."""
        p: Path_ = tuple(path)
        while p not in self.positions and p:
            p = p[:-1]
        return self.positions.get(p, Where(self.file, 1, 1))


def shown_path(path: Path) -> str:
    """A file's name as reports show it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class YamlError(Exception):
    """A file that is not valid YAML."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def read_yaml(path: Path, display: str | None = None) -> Document:
    """Parse one YAML file; raise YamlError with the position of a syntax error, an anchor or
    alias, or a value that cannot be read ('!!int x')."""
    name = display or str(path)
    if path.exists() and not path.is_file():  # a FIFO or a device would block the reader
        raise YamlError(Problem(Where(name, 1, 1), "not a regular file",
                                "content files are plain text files"))
    if path.exists() and path.stat().st_size > FILE_MAX_BYTES:
        raise YamlError(Problem(Where(name, 1, 1), f"file is over {FILE_MAX_BYTES // 1024} KB",
                                "split it: one topic per file"))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise YamlError(Problem(Where(name, 1, 1), f"file is not UTF-8 ({e.reason})",
                                "save the file as UTF-8")) from None
    try:
        _refuse_aliases(text, name)
        return _document(text, name)
    except _Unreadable as e:
        raise YamlError(Problem(Where(name, e.mark.line + 1, e.mark.column + 1), e.message,
                                e.hint)) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        source_line = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
        problem = str(e.problem or e)
        if "\t" in source_line[:max(col, 1)] or "\t" in problem:
            problem += " (a tab character)"
        raise YamlError(Problem(Where(name, line, col), f"YAML syntax: {problem}",
                                _syntax_hint(problem))) from None
    except yaml.YAMLError as e:
        raise YamlError(Problem(Where(name, 1, 1), f"YAML error: {e}")) from None


FILE_MAX_BYTES = 512 * 1024  # the largest content file today is about 90 KB
# Where an anchor (&name) or alias (*name) may start; "**bold**" markup never matches.
_MAYBE_ALIAS = re.compile(r"(?:^|[\s:\[{,-])[&*][^\s*]")


def _refuse_aliases(text: str, name: str) -> None:
    """Refuse anchors and aliases: the content needs none, and a few hundred bytes of them
    expand into gigabytes (a "billion laughs")."""
    if not _MAYBE_ALIAS.search(text):
        return
    for token in yaml.scan(text, Loader=_Loader):
        if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
            mark = token.start_mark
            raise YamlError(Problem(Where(name, mark.line + 1, mark.column + 1),
                                    "anchors and aliases (& and *) are not allowed",
                                    "write the value out in full; quote a text that starts "
                                    "with & or *"))


class _Unreadable(Exception):
    """A value YAML cannot turn into one of the content's, such as '!!int x'."""

    def __init__(self, node: yaml.Node, message: str, hint: str = "quote it to keep it as text"):
        super().__init__(message)
        self.mark, self.message, self.hint = node.start_mark, message, hint


def _construct(node: yaml.Node, loader: Any) -> Any:
    try:
        value = loader.construct_object(node, deep=True)
    except (ValueError, yaml.constructor.ConstructorError) as e:
        raise _Unreadable(node, f"'{node.value}' cannot be read: {e}") from None
    # JSON, so the schema, has no NaN or infinity: such a value stays the text it was.
    return node.value if isinstance(value, float) and not math.isfinite(value) else value


def _document(text: str, name: str) -> Document:
    """The parsed file. Positions are found only when first needed, unless a key is
    repeated: that is reported at once, so they are recorded while parsing again."""
    try:
        return Document(name, _parse(text, _values), _LazyPositions(text, name), ())
    except _DuplicateKey:
        data, positions, dups = _with_positions(text, name)
        return Document(name, data, positions, tuple(dups))


def _parse(text: str, build: Callable[[yaml.Node, Any], Any]) -> Any:
    """`build(root node, loader)` for the one document in `text` (None when it is empty)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return build(node, loader) if node is not None else None
    finally:
        loader.dispose()


class _LazyPositions(Mapping):
    """The positions of a file's keys and items, found only when first asked for.

    Recording a position for every value costs more than reading the values, and most
    files have nothing to report: the file is parsed again the first time one is needed.
    """

    def __init__(self, text: str, name: str):
        self._text, self._name = text, name

    @cached_property
    def _positions(self) -> dict[Path_, Where]:
        return _with_positions(self._text, self._name)[1]

    def __getitem__(self, path: Path_) -> Where:
        return self._positions[path]

    def __contains__(self, path: object) -> bool:
        return path in self._positions

    def __iter__(self) -> Iterator[Path_]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)


class _DuplicateKey(Exception):
    """A mapping repeats a key (reported as a problem, so its position is needed)."""


# A date stays its text, as YAML 1.2 and so editors' tools read it: the schema checks it is
# one (format: date), and the code that needs the date parses it (bot.schema.as_date).
_TEXT_TAGS = frozenset({"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"})


def _key(node: yaml.Node) -> str:
    """A mapping key as its text, as JSON and editors' tools have it ('1995', 'yes')."""
    if not isinstance(node, yaml.ScalarNode):
        raise _Unreadable(node, "a key must be a name, not a list or mapping",
                          "write the key as a plain word before the ':'")
    return node.value


def _values(node: yaml.Node, loader) -> Any:
    """The Python value of `node`; raises _DuplicateKey if a mapping repeats a key."""
    if isinstance(node, yaml.MappingNode):
        value: dict = {}
        for key_node, value_node in node.value:
            key = _key(key_node)
            if key in value:
                raise _DuplicateKey
            value[key] = _values(value_node, loader)
        return value
    if isinstance(node, yaml.SequenceNode):
        return [_values(item, loader) for item in node.value]
    if node.tag in _TEXT_TAGS:
        return node.value  # the common case, without the constructor's overhead
    return _construct(node, loader)


def _with_positions(text: str, name: str) -> tuple[Any, dict[Path_, Where], list]:
    """The value of `text`, the position of every key and item, and the repeated keys."""
    positions: dict[Path_, Where] = {}
    dups: list[tuple[Path_, Where]] = []
    data = _parse(text, lambda node, loader: _build(node, (), name, positions, dups, loader))
    return data, positions, dups


def _build(node: yaml.Node, path: Path_, name: str, out: dict, dups: list, loader) -> Any:
    """The Python value of `node`, recording where it and everything inside it stand."""
    out[path] = Where(name, node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        value: dict = {}
        for key_node, value_node in node.value:
            key = _key(key_node)
            child = path + (key,)
            if key in value:
                dups.append((child, Where(name, key_node.start_mark.line + 1,
                                          key_node.start_mark.column + 1)))
            value[key] = _build(value_node, child, name, out, dups, loader)
            # A key's own position beats its value's: errors point at the key line.
            out[child] = Where(name, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return value
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), name, out, dups, loader)
                for i, item in enumerate(node.value)]
    if node.tag in _TEXT_TAGS:
        return node.value
    return _construct(node, loader)


def _syntax_hint(problem: str) -> str:
    if "tab" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted, or put under `|` on its own lines"
    if "could not find expected ':'" in problem or "expected <block end>" in problem:
        return "check the indentation: keys of one mapping start in the same column"
    if "found character" in problem:
        return "quote the value (some characters such as ` @ and % cannot start a plain value)"
    return "check quotes and indentation around this line"
