"""Limits of the platforms and of the content, named once.

The content's own shape (lengths, counts, command names) is stated once, in the JSON Schemas
of SCHEMA_DIR; what code outside the content check needs of it is read from there.
"""
import json
from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "content" / "schema"

ANSWER_MAX_CHARS = 700  # an answer, with its as-of line: short enough to read on a phone
TELEGRAM_MESSAGE_MAX = 4096
TELEGRAM_CALLBACK_DATA_MAX_BYTES = 64
TELEGRAM_BUTTONS_MAX = 100  # per inline keyboard: not in the Bot API docs, but larger is refused
TELEGRAM_ROW_MAX = 8  # buttons in one keyboard row, likewise
SLACK_SECTION_MAX = 3000
SLACK_BLOCKS_MAX = 50
CONTACT_RECHECK_DAYS = 365  # a verified contact older than this is flagged for a new check


def _slack_command_rule() -> dict:
    """The topic schema's rule for a Slack command of its own (`$defs/slackCommand`)."""
    try:
        schema = json.loads((SCHEMA_DIR / "topic.schema.json").read_text(encoding="utf-8"))
        return dict(schema["$defs"]["slackCommand"])
    except (OSError, ValueError, KeyError, TypeError):  # the content check reports the schema
        return {}


_SLACK_RULE = _slack_command_rule()
# Slack's own commands (slack.com/help/articles/201259356): a manifest naming one is rejected.
SLACK_BUILT_IN = frozenset(_SLACK_RULE.get("not", {}).get("enum", ()))
SLACK_COMMAND_MAX = _SLACK_RULE.get("maxLength", 0) + 1  # a slash command with its "/"
