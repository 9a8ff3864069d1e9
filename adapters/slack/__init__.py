"""Slack: the Bolt app and its doors (app), replies as Block Kit (render), answers sent after
the ack (outbox), and the app manifest generated from content (manifest)."""
from adapters.slack.app import (
    build_app,
    handle_http,
    run_socket_mode,
    signed_by_slack,
)
from adapters.slack.manifest import build_manifest
from adapters.slack.outbox import Outbox

__all__ = ["Outbox", "build_app", "build_manifest", "handle_http", "run_socket_mode",
           "signed_by_slack"]
