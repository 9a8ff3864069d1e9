"""`bot ask --platform telegram|slack`: exactly what a platform would be sent for a reply,
built by the adapters' own renderers (found by bot/cli.py through an entry point)."""
from __future__ import annotations

import json

from bot.answer import Bot
from bot.message import Reply


def telegram(bot: Bot, reply: Reply) -> str:
    """The sendMessage calls Telegram would get: HTML text, parse mode and keyboard."""
    from adapters.telegram.render import render

    calls = [{"method": "sendMessage", "text": out.text, "parse_mode": str(out.parse_mode),
              **({"reply_markup": out.reply_markup.to_dict()} if out.reply_markup else {})}
             for out in render(reply)]
    return json.dumps(calls, ensure_ascii=False, indent=2)


def slack(bot: Bot, reply: Reply) -> str:
    """The chat.postMessage body Slack would get: the Block Kit blocks and fallback text."""
    from adapters.slack.render import render_blocks

    body = render_blocks(reply, share_label=bot.content.message("share_label", reply.lang))
    return json.dumps({"method": "chat.postMessage", **body}, ensure_ascii=False, indent=2)
