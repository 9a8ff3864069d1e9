"""Fakes of the platforms, speaking their real protocols on 127.0.0.1."""
