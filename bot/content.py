"""The content staff edit, loaded from YAML into one immutable, validated object."""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType

from bot.schema import as_date
from bot.validate import validate_documents
from bot.yamlsrc import Document, Problem, Where, YamlError, read_yaml, shown_path

MESSAGES_FILE = "messages.yaml"
PROTECTION_FILE = "protection.yaml"
TOPICS_DIR = "topics"
DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


@dataclass(frozen=True)
class TopicText:
    """A topic's title, example questions, keywords and answer in one language."""

    title: str
    examples: tuple[str, ...]
    keywords: tuple[str, ...]
    answer: str
    # Questions with this topic's words that neither it nor the source answers.
    not_about: tuple[str, ...] = ()


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
    can_change: bool = False  # the answer holds what can go stale (a post, a count, "now")
    review_by: date | None = None  # after it, the answer says it may be out of date
    gives: frozenset[str] = frozenset()  # kinds of fact (see Content.asks_for) the answer holds

    def text(self, lang: str, fallback: str) -> tuple[TopicText, str]:
        """The text in `lang`, or in `fallback` when not translated; and the language used."""
        if lang in self.texts:
            return self.texts[lang], lang
        return self.texts[fallback], fallback


@dataclass(frozen=True)
class DangerCategory:
    """A kind of danger a message may speak of, and the referral it gets."""

    id: str
    points_to: tuple[str, ...]  # topic ids the referral offers as buttons
    replies: Mapping[str, str]  # lang -> the referral text (markup)
    examples: Mapping[str, tuple[str, ...]]  # lang -> messages that say this danger
    # People speak of it in ordinary words: the odds of danger never take its referral away.
    said_in_ordinary_words: bool = False


@dataclass(frozen=True)
class VerifiedContact:
    """A contact an editor has checked, shown in every referral."""

    name: str
    reach: str  # how to reach them: a phone number, an address, a link
    verified_by: str
    as_of: date


@dataclass(frozen=True)
class Protection:
    """What the bot does when a message shows danger (content/protection.yaml)."""

    threshold: float  # how much of one example a message must hold to be read as danger
    categories: tuple[DangerCategory, ...]
    look_alikes: Mapping[str, tuple[str, ...]]  # lang -> ordinary messages with danger words
    # class -> lang -> interchangeable words ("child": son, daughter, сын, ұлым), read as one
    word_classes: Mapping[str, Mapping[str, tuple[str, ...]]]
    contacts: tuple[VerifiedContact, ...]
    contacts_heading: Mapping[str, str]  # lang -> the line above the verified contacts
    contact_line: Mapping[str, str]  # lang -> how one contact is written

    def category(self, category_id: str) -> DangerCategory:
        """The category with this id (the index reads only these ids)."""
        return next(c for c in self.categories if c.id == category_id)


@dataclass(frozen=True)
class Content:
    """Everything the bot knows and says, validated."""

    topics: tuple[Topic, ...]
    languages: Mapping[str, str]  # code -> name in its own script
    default_language: str
    threshold: float
    messages: Mapping[str, Mapping[str, object]]  # key -> lang -> text (or list for months)
    intents: Mapping[str, Mapping[str, tuple[str, ...]]]  # meta intent -> lang -> phrases
    language_words: Mapping[str, tuple[str, ...]]  # lang -> other names people type for it
    now_words: Mapping[str, tuple[str, ...]]  # lang -> words that ask about today ("current")
    # kind of fact -> lang -> words that ask for it ("how old": age); see Topic.gives
    asks_for: Mapping[str, Mapping[str, tuple[str, ...]]]
    protection: Protection
    version: str
    loaded_at: float
    warnings: tuple[Problem, ...]
    feedback: bool = False  # settings.feedback: answers carry "was this helpful?" buttons

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


@dataclass
class Documents:
    """The parsed content files, and the problems found while parsing them."""

    messages: Document | None
    protection: Document | None
    topics: list[Document]
    problems: list[Problem]
    unreadable: list[str]  # stems of topic files that did not parse


_WHAT_LIVES_IN = {
    MESSAGES_FILE: "the bot's own messages and settings live here",
    PROTECTION_FILE: "the danger categories and their referral texts live here: without them "
                     "the bot cannot tell a person in danger from a question",
}


def _read_one(root: Path, name: str, problems: list[Problem]) -> Document | None:
    try:
        return read_yaml(root / name, shown_path(root / name))
    except FileNotFoundError:
        problems.append(Problem(_nowhere(shown_path(root / name)), "file missing", _WHAT_LIVES_IN[name]))
    except YamlError as e:
        problems.append(e.problem)
    return None


def read_documents(content_dir: Path) -> Documents:
    """Parse messages.yaml, protection.yaml and every topic file; collect syntax errors
    instead of stopping."""
    problems: list[Problem] = []
    unreadable: list[str] = []
    topics: list[Document] = []
    root = Path(content_dir)
    if not root.is_dir():
        raise ContentError([Problem(_nowhere(str(root)), "content directory not found",
                                    "set CONTENT_DIR or pass the folder holding messages.yaml")])
    messages = _read_one(root, MESSAGES_FILE, problems)
    protection = _read_one(root, PROTECTION_FILE, problems)
    topics_dir = root / TOPICS_DIR
    files = sorted(topics_dir.glob("*.yaml")) + sorted(topics_dir.glob("*.yml"))
    display = _display_in(topics_dir)
    for path in files:
        try:
            topics.append(read_yaml(path, display(path)))
        except YamlError as e:
            problems.append(e.problem)
            unreadable.append(path.stem)
    return Documents(messages, protection, topics, problems, unreadable)


def check_documents(docs: Documents) -> list[Problem]:
    """Every problem in the content: what parsing found, then what validation finds."""
    return docs.problems + validate_documents(docs.messages, docs.topics, docs.unreadable,
                                              protection=docs.protection)


def load_content(content_dir: Path | str = DEFAULT_CONTENT_DIR) -> Content:
    """Load and validate all content; raise ContentError listing every problem."""
    root = Path(content_dir)
    docs = read_documents(root)
    problems = check_documents(docs)
    if (any(p.severity == "error" for p in problems) or docs.messages is None
            or docs.protection is None):
        raise ContentError(problems)
    return _build(docs.messages, docs.protection, docs.topics, problems, _version(root))


def _build_protection(data: dict, languages: Mapping[str, str]) -> Protection:
    categories = []
    for category_id, c in data["categories"].items():
        sections = {lang: c[lang] for lang in languages if isinstance(c.get(lang), dict)}
        categories.append(DangerCategory(
            id=str(category_id), points_to=tuple(c.get("points_to") or ()),
            said_in_ordinary_words=bool(c.get("said_in_ordinary_words", False)),
            replies=MappingProxyType({lang: str(s["reply"]).strip() for lang, s in sections.items()}),
            examples=MappingProxyType({lang: tuple(map(str, s.get("examples") or ()))
                                       for lang, s in sections.items()}),
        ))
    contacts = tuple(VerifiedContact(name=str(x["name"]), reach=str(x["reach"]),
                                     verified_by=str(x["verified_by"]), as_of=as_date(x["as_of"]))
                     for x in data.get("verified_contacts") or ())
    def by_language(texts: Mapping | None) -> Mapping[str, tuple[str, ...]]:
        return MappingProxyType({lang: tuple(map(str, v)) for lang, v in (texts or {}).items()})

    return Protection(threshold=float(data["settings"]["threshold"]),
                      categories=tuple(categories), look_alikes=by_language(data.get("look_alikes")),
                      word_classes=MappingProxyType({str(name): by_language(words) for name, words
                                                     in (data.get("word_classes") or {}).items()}),
                      contacts=contacts,
                      contacts_heading=MappingProxyType(dict(data["contacts_heading"])),
                      contact_line=MappingProxyType(dict(data["contact_line"])))


def _build(messages_doc: Document, protection_doc: Document, topic_docs: list[Document],
           warnings: list[Problem], version: str) -> Content:
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
                not_about=tuple(str(x) for x in d[lang].get("not_about") or ()),
                answer=str(d[lang]["answer"]).strip(),
            )
            for lang in languages if isinstance(d.get(lang), dict)
        }
        topics.append(Topic(
            id=d["id"], command=str(d["command"]).lower(),
            aliases=tuple(str(a).lower() for a in d.get("aliases") or ()),
            related=tuple(d.get("related") or ()), source=str(d["source"]),
            as_of=as_date(d["as_of"]), texts=MappingProxyType(texts), file=doc.file,
            can_change=bool(d.get("can_change", False)),
            review_by=as_date(d["review_by"]) if d.get("review_by") is not None else None,
            gives=frozenset(map(str, d.get("gives") or ())),
        ))
    intents = {name: MappingProxyType({lang: tuple(map(str, v)) for lang, v in by_lang.items() if v})
               for name, by_lang in (m.get("intents") or {}).items()}
    first = [str(t) for t in m["settings"].get("menu") or ()]
    topics.sort(key=lambda t: first.index(t.id) if t.id in first else len(first))  # stable
    return Content(
        topics=tuple(topics), languages=MappingProxyType(languages), default_language=default,
        threshold=float(m["settings"]["threshold"]),
        messages=MappingProxyType({k: MappingProxyType(dict(v)) for k, v in m["messages"].items()}),
        intents=MappingProxyType(intents),
        language_words=MappingProxyType({lang: tuple(map(str, words)) for lang, words
                                         in (m.get("language_words") or {}).items()}),
        now_words=MappingProxyType({lang: tuple(map(str, words)) for lang, words
                                    in (m.get("now_words") or {}).items()}),
        asks_for=MappingProxyType({
            kind: MappingProxyType({lang: tuple(map(str, words)) for lang, words in by_lang.items()})
            for kind, by_lang in (m.get("asks_for") or {}).items()}),
        protection=_build_protection(protection_doc.data, languages),
        version=version, loaded_at=time.time(), warnings=tuple(warnings),
        feedback=m["settings"].get("feedback") is True,
    )


def _version(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.y*ml")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _display_in(folder: Path) -> Callable[[Path], str]:
    """`shown_path` for the files directly in `folder`, resolving the folder once rather than
    each file's path (a system call per component of it)."""
    try:
        shown = folder.resolve().relative_to(Path.cwd())
    except ValueError:  # nor is any file in it, unless a link leads elsewhere
        return lambda path: shown_path(path) if path.is_symlink() else str(path)
    prefix = "" if shown == Path(".") else f"{shown}{os.sep}"
    return lambda path: shown_path(path) if path.is_symlink() else prefix + path.name


def _nowhere(file: str) -> Where:
    return Where(file, 1, 1)
