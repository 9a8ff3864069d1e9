"""The content staff edit, loaded from YAML into one immutable, validated object."""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

from bot.validate import validate_documents
from bot.yamlsrc import Document, Problem, Where, YamlError, read_yaml

MESSAGES_FILE = "messages.yaml"
TOPICS_DIR = "topics"
DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


@dataclass(frozen=True)
class TopicText:
    """A topic's title, example questions, keywords and answer in one language."""

    title: str
    examples: tuple[str, ...]
    keywords: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class Topic:
    """One answerable topic."""

    id: str
    command: str
    aliases: tuple[str, ...]
    related: tuple[str, ...]
    source: str
    as_of: date
    texts: Mapping[str, TopicText]
    file: str

    def text(self, lang: str, fallback: str) -> tuple[TopicText, str]:
        """The text in `lang`, or in `fallback` when not translated; and the language used."""
        if lang in self.texts:
            return self.texts[lang], lang
        return self.texts[fallback], fallback


@dataclass(frozen=True)
class Content:
    """Everything the bot knows and says, validated."""

    topics: tuple[Topic, ...]
    languages: Mapping[str, str]  # code -> name in its own script
    default_language: str
    threshold: float
    messages: Mapping[str, Mapping[str, object]]  # key -> lang -> text (or list for months)
    intents: Mapping[str, Mapping[str, tuple[str, ...]]]  # meta intent -> lang -> phrases
    referral_triggers: Mapping[str, tuple[str, ...]]  # lang -> words/phrases
    version: str
    loaded_at: float
    warnings: tuple[Problem, ...]

    def topic(self, topic_id: str) -> Topic | None:
        """The topic with this id, if any."""
        return self._by_id.get(topic_id)

    def message(self, key: str, lang: str) -> str:
        """A bot message in `lang`, or in the default language when missing."""
        texts = self.messages.get(key, {})
        return str(texts.get(lang) or texts.get(self.default_language) or "")

    @property
    def _by_id(self) -> Mapping[str, Topic]:
        cache = self.__dict__.get("_by_id_cache")
        if cache is None:
            cache = {t.id: t for t in self.topics}
            object.__setattr__(self, "_by_id_cache", cache)
        return cache


class ContentError(Exception):
    """Content that failed validation; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in content:\n" + "\n".join(map(str, problems)))


def read_documents(content_dir: Path) -> tuple[Document | None, list[Document], list[Problem],
                                               list[str]]:
    """Parse messages.yaml and every topic file; collect syntax errors instead of stopping.

    Returns the documents, the problems, and the stems of topic files that did not parse.
    """
    problems: list[Problem] = []
    unreadable: list[str] = []
    messages: Document | None = None
    topics: list[Document] = []
    root = Path(content_dir)
    if not root.is_dir():
        raise ContentError([Problem(_nowhere(str(root)), "content directory not found",
                                    "set CONTENT_DIR or pass the folder holding messages.yaml")])
    try:
        messages = read_yaml(root / MESSAGES_FILE, _display(root / MESSAGES_FILE))
    except FileNotFoundError:
        problems.append(Problem(_nowhere(_display(root / MESSAGES_FILE)), "file missing",
                                "the bot's own messages and settings live here"))
    except YamlError as e:
        problems.append(e.problem)
    topics_dir = root / TOPICS_DIR
    files = sorted(topics_dir.glob("*.yaml")) + sorted(topics_dir.glob("*.yml"))
    display = _display_in(topics_dir)
    for path in files:
        try:
            topics.append(read_yaml(path, display(path)))
        except YamlError as e:
            problems.append(e.problem)
            unreadable.append(path.stem)
    return messages, topics, problems, unreadable


def load_content(content_dir: Path | str = DEFAULT_CONTENT_DIR) -> Content:
    """Load and validate all content; raise ContentError listing every problem."""
    root = Path(content_dir)
    messages_doc, topic_docs, problems, unreadable = read_documents(root)
    problems += validate_documents(messages_doc, topic_docs, unreadable)
    if any(p.severity == "error" for p in problems) or messages_doc is None:
        raise ContentError(problems)
    return _build(messages_doc, topic_docs, problems, _version(root))


def _build(messages_doc: Document, topic_docs: list[Document], warnings: list[Problem],
           version: str) -> Content:
    m = messages_doc.data
    languages = dict(m["languages"])
    default = m["settings"].get("default_language", "en")
    topics = []
    for doc in topic_docs:
        d = doc.data
        texts = {
            lang: TopicText(
                title=str(d[lang]["title"]).strip(),
                examples=tuple(str(x) for x in d[lang].get("examples") or ()),
                keywords=tuple(str(x) for x in d[lang].get("keywords") or ()),
                answer=str(d[lang]["answer"]).strip(),
            )
            for lang in languages if isinstance(d.get(lang), dict)
        }
        topics.append(Topic(
            id=d["id"], command=str(d["command"]).lower(),
            aliases=tuple(str(a).lower() for a in d.get("aliases") or ()),
            related=tuple(d.get("related") or ()), source=str(d["source"]),
            as_of=d["as_of"], texts=MappingProxyType(texts), file=doc.file,
        ))
    intents = {name: MappingProxyType({lang: tuple(map(str, v)) for lang, v in by_lang.items() if v})
               for name, by_lang in (m.get("intents") or {}).items()}
    triggers = {lang: tuple(map(str, v))
                for lang, v in ((m.get("referral") or {}).get("triggers") or {}).items() if v}
    return Content(
        topics=tuple(topics), languages=MappingProxyType(languages), default_language=default,
        threshold=float(m["settings"]["threshold"]),
        messages=MappingProxyType({k: MappingProxyType(dict(v)) for k, v in m["messages"].items()}),
        intents=MappingProxyType(intents), referral_triggers=MappingProxyType(triggers),
        version=version, loaded_at=time.time(), warnings=tuple(warnings),
    )


def _version(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.y*ml")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _display_in(folder: Path) -> Callable[[Path], str]:
    """`_display` for the files directly in `folder`, resolving the folder once rather than
    each file's path (a system call per component of it)."""
    try:
        shown = folder.resolve().relative_to(Path.cwd())
    except ValueError:  # nor is any file in it, unless a link leads elsewhere
        return lambda path: _display(path) if path.is_symlink() else str(path)
    prefix = "" if shown == Path(".") else f"{shown}{os.sep}"
    return lambda path: _display(path) if path.is_symlink() else prefix + path.name


def _nowhere(file: str) -> Where:
    return Where(file, 1, 1)
