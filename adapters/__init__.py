"""Thin translations between platforms (console, Telegram, Slack) and the core."""
