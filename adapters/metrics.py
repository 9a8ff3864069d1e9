"""Prometheus metrics of the web process: messages, latency, declines, referrals, reloads."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.message import Message, Reply

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """One registry per process (no global state, so tests can build several apps)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.messages = Counter("unhcr_bot_messages", "Messages answered", ["platform", "lang",
                                "intent"], registry=self.registry)
        self.latency = Histogram("unhcr_bot_reply_seconds", "Time to build a reply",
                                 buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                          0.025, 0.05, 0.1, 0.25), registry=self.registry)
        self.fallbacks = Counter("unhcr_bot_fallbacks", "Questions declined (no answer)",
                                 registry=self.registry)
        self.referrals = Counter("unhcr_bot_referrals", "Messages given the referral text",
                                 registry=self.registry)
        self.reloads = Counter("unhcr_bot_content_reloads", "Content reloads", ["result"],
                               registry=self.registry)
        self.errors = Counter("unhcr_bot_errors", "Errors while handling requests", ["where"],
                              registry=self.registry)
        for result in ("success", "failure"):
            self.reloads.labels(result=result)

    def observe(self, message: Message, reply: Reply, seconds: float) -> None:
        """Count one reply (the Service's observer)."""
        self.messages.labels(platform=message.platform, lang=reply.lang,
                             intent=reply.intent or "none").inc()
        self.latency.observe(seconds)
        if reply.kind == "decline":
            self.fallbacks.inc()
        elif reply.kind == "referral":
            self.referrals.inc()

    def render(self) -> bytes:
        """The Prometheus text exposition."""
        return generate_latest(self.registry)
