"""Telegram: the Application and its doors (app), replies as HTML messages (render), updates
handled concurrently but in order within a chat (updates)."""
from adapters.telegram.app import (
    ALLOWED_UPDATES,
    MAX_RETRIES,
    build_application,
    poll,
    process_webhook,
    refresh_menu,
    running,
)

__all__ = ["ALLOWED_UPDATES", "MAX_RETRIES", "build_application", "poll", "process_webhook",
           "refresh_menu", "running"]
