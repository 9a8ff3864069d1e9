"""Limits of the platforms and of the content, named once."""

ANSWER_MAX_CHARS = 700  # an answer, with its as-of line: short enough to read on a phone
TITLE_MAX_CHARS = 40  # a topic title must fit a button
MIN_EXAMPLES = 8  # example questions per topic and language
TELEGRAM_MESSAGE_MAX = 4096
TELEGRAM_CALLBACK_DATA_MAX_BYTES = 64
TELEGRAM_BUTTONS_MAX = 100  # per inline keyboard: not in the Bot API docs, but larger is refused
TELEGRAM_ROW_MAX = 8  # buttons in one keyboard row, likewise
TELEGRAM_COMMAND_MAX = 32
SLACK_SECTION_MAX = 3000
SLACK_BLOCKS_MAX = 50
MIN_DANGER_EXAMPLES = 15  # example messages per danger category and language
CONTACT_RECHECK_DAYS = 365  # a verified contact older than this is flagged for a new check
SLACK_COMMAND_MAX = 32  # a slash command with its "/"
# Slack's own commands (slack.com/help/articles/201259356): a manifest naming one is rejected.
SLACK_BUILT_IN = frozenset({
    "active", "archive", "away", "collapse", "dm", "dnd", "expand", "feed", "feedback", "invite",
    "join", "kick", "leave", "me", "msg", "mute", "open", "prefs", "pro", "remind", "remove",
    "rename", "search", "shortcuts", "shrug", "star", "status", "topic", "who",
})
