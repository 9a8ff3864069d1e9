"""Benchmarks: the core (core.py) and the web process under load (webhook.py); see README.md."""
