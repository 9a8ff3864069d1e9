"""The content's shape: each file checked against its JSON Schema in content/schema/.

The schemas state the shape once, for editors' tools and for the bot. Each jsonschema error
becomes a Problem at the file, line and column of the value (or key) it is about, with the
message and hint the schema writes in three keywords of its own, which other tools ignore:

- `x-message`, `x-hint`: a text, which covers its node, everything under it and its key
  being missing; or an object mapping a keyword of its own node ("type", "required", ...) to
  a text. Along the schema path from the root to the rule that failed, the innermost one
  that applies is used. They may name {key} (the key the problem is about), {path} (its
  dotted path), {value} and {count} (its length).
- `x-severity: warning`: the rules under it are warnings, not errors.
"""
from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import UnknownType, ValidationError
from referencing import Registry
from referencing.exceptions import Unresolvable

from bot.limits import SCHEMA_DIR
from bot.yamlsrc import Document, Path_, Problem, Where, shown_path

KINDS = ("topic", "messages", "protection")  # content/schema/<kind>.schema.json
# Keywords whose value holds schemas by name or position, not a schema itself.
_CONTAINERS = frozenset({"properties", "patternProperties", "$defs", "allOf", "anyOf", "oneOf",
                         "prefixItems", "dependentSchemas"})
# What a malformed rule makes jsonschema raise: an unknown type or format, a keyword's
# value of the wrong kind, a pattern that is no regular expression.
_SCHEMA_FAULTS = (UnknownType, Unresolvable, re.error, TypeError, ValueError,
                  LookupError, AttributeError)
_FIELD = re.compile(r"\{(key|path|value|count)\}")
_ANNOTATIONS = frozenset({"description", "title", "examples", "default", "$comment"})


@dataclass(frozen=True)
class Shaped:
    """A parsed file and where it breaks its schema: the checks across files read only the
    values that keep to it."""

    doc: Document
    broken: tuple[Path_, ...]  # where the schema's errors are (its warnings break nothing)

    def _clear(self, path: Path_, under: bool) -> bool:
        """Nothing is broken at `path` or above it (nor under it, when `under`)."""
        return not any(path[:len(b)] == b or (under and b[:len(path)] == path) for b in self.broken)

    def _raw(self, path: Path_) -> Any:
        value = self.doc.data
        for key in path:
            try:
                value = value[key]
            except (KeyError, IndexError, TypeError):
                return None
        return value

    def keeps(self, *path: Any) -> bool:
        """Whether the value at `path` keeps to the schema (nothing at, above or under it breaks it)."""
        return self._clear(path, under=True)

    def value(self, *path: Any) -> Any:
        """The value at `path` if nothing at, above or under it breaks the schema, else None."""
        return self._raw(path) if self._clear(path, under=True) else None

    def mapping(self, *path: Any) -> dict | None:
        """The mapping at `path`, its keys to be read, even if some values under it are broken."""
        value = self._raw(path)
        return value if isinstance(value, dict) and self._clear(path, under=False) else None

    def each(self, *path: Any) -> Iterator[tuple[int, Any]]:
        """The index and value of each item of the list at `path` that keeps to the schema."""
        items = self._raw(path)
        if isinstance(items, list) and self._clear(path, under=False):
            for i, item in enumerate(items):
                if self._clear(path + (i,), under=True):
                    yield i, item


def as_date(value: str) -> date:
    """The date a text the schema accepted as one ('format: date', YYYY-MM-DD) stands for."""
    return date.fromisoformat(value)


# -- the schemas --------------------------------------------------------------------------

def schema_file(kind: str) -> Path:
    """Where the schema of one kind of content file is."""
    return SCHEMA_DIR / f"{kind}.schema.json"


@dataclass(frozen=True)
class _Schema:
    file: str
    root: dict  # with its $refs written out in place, as it is checked
    validator: Any


def load_schemas() -> tuple[dict[str, _Schema | None], list[Problem]]:
    """The schema of each kind of file (None when it cannot be used), and what is wrong with
    those that cannot."""
    schemas: dict[str, _Schema | None] = {}
    problems: list[Problem] = []
    for kind in KINDS:
        path = schema_file(kind)
        try:
            schemas[kind] = _compile(shown_path(path), path.read_text(encoding="utf-8"))
        except OSError as e:
            problems.append(Problem(Where(shown_path(path), 1, 1), f"schema cannot be read ({e.strerror})",
                                    "the bot checks content against content/schema/*.json"))
            schemas[kind] = None
        except _SchemaProblem as e:
            problems.append(e.problem)
            schemas[kind] = None
    return schemas, problems


class _SchemaProblem(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@lru_cache(maxsize=8)  # keyed by the file's text: an edited schema is compiled again
def _compile(file: str, text: str) -> _Schema:
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as e:
        raise _SchemaProblem(Problem(Where(file, e.lineno, e.colno), f"JSON syntax: {e.msg}",
                                     "check the commas, quotes and brackets around this line")) from None
    # The schemas are checked against JSON Schema's own (tests/test_schema.py); doing it here
    # would take longer than checking all the content. A rule jsonschema cannot apply is
    # reported when it is met (check_shape).
    try:
        root = _inline(schema, schema)
    except _Unsupported as e:
        raise _SchemaProblem(Problem(Where(file, 1, 1), str(e),
                                     "refer within the file, e.g. \"$ref\": \"#/$defs/text\"")) from None
    # No $ref is left to resolve; the empty registry makes sure none is ever fetched.
    validator = _Validator(root, registry=Registry(), format_checker=FormatChecker(formats=("date",)))
    return _Schema(file, root, validator)


class _Unsupported(Exception):
    """A $ref the bot does not follow: only those within the file are."""


def _inline(node: Any, root: dict) -> Any:
    """The schema with each local $ref replaced by what it names: checking then resolves no
    reference, which is most of jsonschema's time on this content."""
    if isinstance(node, list):
        return [_inline(item, root) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _inline(value, root) for key, value in node.items() if key != "$ref"}
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return out
    if not ref.startswith("#/"):
        raise _Unsupported(f"$ref '{ref}' is not within the file")
    target: Any = root
    for part in ref[2:].split("/"):
        try:
            target = target[part.replace("~1", "/").replace("~0", "~")]
        except (KeyError, TypeError):
            raise _Unsupported(f"$ref '{ref}' names nothing in the file") from None
    target = _inline(target, root)
    if isinstance(target, dict) and _mergeable(out, target):
        return {**target, **out}  # one node, as it reads: fewer nodes to walk for each value
    # Rules or messages beside it that would mix with its own stay a node over it.
    out["allOf"] = [target, *out.get("allOf", [])]
    return out


# Keywords that read each other within one schema object, so two objects holding them
# cannot be merged into one.
_TOGETHER = (frozenset({"properties", "patternProperties", "additionalProperties",
                        "unevaluatedProperties"}),
             frozenset({"prefixItems", "items", "unevaluatedItems"}),
             frozenset({"contains", "minContains", "maxContains"}), frozenset({"if", "then", "else"}))


def _mergeable(beside: dict, target: dict) -> bool:
    """Whether the keywords beside a $ref and those of its target mean the same in one
    object as in two: none in both (but annotations), none that read each other."""
    if (set(beside) & set(target)) - _ANNOTATIONS:
        return False
    return not any(group & set(beside) and group & set(target) for group in _TOGETHER)


_STANDARD_ITEMS = Draft202012Validator.VALIDATORS["items"]
_TEXT_RULES = frozenset({"type", "minLength", "maxLength", "pattern"})


def _items(validator: Any, items: Any, instance: Any, schema: dict) -> Iterator[ValidationError]:
    """Draft 2020-12 `items`, with a list of texts checked in one loop: most of the content is
    such lists, and an item that keeps to its rules needs no validator of its own. An item
    that does not is checked the standard way, for its error."""
    if (not isinstance(items, dict) or items.get("type") != "string" or "prefixItems" in schema
            or not isinstance(instance, list)
            or any(k not in _TEXT_RULES and k not in _ANNOTATIONS and not k.startswith("x-")
                   for k in items)):
        yield from _STANDARD_ITEMS(validator, items, instance, schema)
        return
    low, high = items.get("minLength", 0), items.get("maxLength")
    search = re.compile(items["pattern"]).search if "pattern" in items else None
    for index, item in enumerate(instance):
        if not (isinstance(item, str) and len(item) >= low and (high is None or len(item) <= high)
                and (search is None or search(item))):
            yield from validator.descend(item, items, path=index)


_Validator = validators.extend(Draft202012Validator, {"items": _items})


# -- checking a file ------------------------------------------------------------------------

def check_shape(doc: Document, schema: _Schema | None, out: list[Problem]) -> Shaped:
    """Check `doc` against `schema`, adding each problem to `out`; the document and where it
    is broken (everywhere when the schema cannot be used)."""
    if schema is None:
        return Shaped(doc, ((),))
    found: dict[Path_, list[tuple[str, str, str]]] = {}
    try:
        for error in schema.validator.iter_errors(doc.data):
            for location, message, hint, severity in _explain(error, schema.root):
                found.setdefault(location, [])
                if (message, hint, severity) not in found[location]:
                    found[location].append((message, hint, severity))
    except _SCHEMA_FAULTS as e:  # a rule in the schema jsonschema cannot apply
        reason = str(e).splitlines()[0].rstrip(":") if str(e) else type(e).__name__
        problem = Problem(Where(schema.file, 1, 1), f"not a JSON Schema the bot can use: {reason}",
                          "see json-schema.org for the keyword; tests/test_schema.py checks the schemas")
        out.extend([problem] if problem not in out else [])
        return Shaped(doc, ((),))
    broken = []
    for location, problems in found.items():
        has_error = any(severity == "error" for _, _, severity in problems)
        broken += [location] if has_error else []
        for message, hint, severity in problems:
            if severity == "error" or not has_error:  # a warning beside an error adds nothing
                out.append(Problem(doc.where(*location), message, hint, severity))
    return Shaped(doc, tuple(broken))


def _explain(error: ValidationError, root: dict) -> Iterator[tuple[Path_, str, str, str]]:
    """(location, message, hint, severity) of each problem one jsonschema error stands for."""
    chain = _chain(root, list(error.absolute_schema_path)[:-1])
    keyword, path, value = str(error.validator), tuple(error.absolute_path), error.instance
    severity = _annotation(chain, "x-severity", keyword) or "error"
    if keyword == "additionalProperties" and error.validator_value is False:
        allowed = list(error.schema.get("properties", {}))
        patterns = list(error.schema.get("patternProperties", {}))
        for key in (k for k in value if k not in allowed and not any(re.search(p, k) for p in patterns)):
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(allowed)
            yield path + (key,), f"unknown key '{key}'", hint, severity
    elif keyword == "required":
        properties = error.schema.get("properties", {})
        for key in (k for k in error.validator_value if k not in value):
            # The key's own text covers its absence; else the object's "required" text.
            own = properties.get(key, {})
            message = _text(own, "x-message") or _annotation(chain, "x-message", keyword)
            hint = _text(own, "x-hint") or _annotation(chain, "x-hint", keyword)
            yield _filled(path + (key,), None, message or "'{path}' is missing", hint, severity)
    else:
        if "propertyNames" in error.absolute_schema_path:  # the error is about a key
            path = path + (value,)
        message = _annotation(chain, "x-message", keyword)
        location, text, hint, _ = _filled(path, value, message or "'{path}' is not valid",
                                          _annotation(chain, "x-hint", keyword), severity)
        # A rule the schema gives no message for still says what jsonschema found.
        yield location, text if message else f"{text}: {error.message}", hint, severity


def _chain(root: dict, schema_path: list) -> list[dict]:
    """The schemas from the root down along `schema_path` (the rules' path, inlined)."""
    nodes, node = [root], root
    for step in schema_path:
        node = node[step]
        if step not in _CONTAINERS and isinstance(node, dict):
            nodes.append(node)
    return nodes


def _text(node: Any, name: str) -> str:
    value = node.get(name) if isinstance(node, dict) else None
    return value if isinstance(value, str) else ""


def _annotation(chain: list[dict], name: str, keyword: str) -> str:
    """The innermost `name` (x-message, x-hint, x-severity) along `chain` for `keyword`: a
    text covers its node and all under it, an object's entry only its own node's keyword."""
    for node in reversed(chain):
        value = node.get(name)
        if isinstance(value, dict):
            value = value.get(keyword) if node is chain[-1] else None
        if isinstance(value, str):
            return value
    return ""


def _filled(location: Path_, value: Any, message: str, hint: str,
            severity: str) -> tuple[Path_, str, str, str]:
    names = [str(k) for k in location if not isinstance(k, int)]
    fields = {"key": names[-1] if names else "", "path": ".".join(names), "value": value,
              "count": len(value) if isinstance(value, (str, list, dict)) else ""}
    return location, _format(message, fields), _format(hint, fields), severity


def _format(template: str, fields: dict) -> str:
    # Only the four names: a hint may well show YAML such as "{en: English}".
    return _FIELD.sub(lambda m: str(fields[m.group(1)]), template)
