"""The suite's network guard: a request to the internet fails the test instead of passing."""
from __future__ import annotations

import socket

import pytest


def test_resolving_a_public_host_fails_the_test():
    with pytest.raises(pytest.fail.Exception, match="internet"):
        socket.getaddrinfo("api.telegram.org", 443)


def test_connecting_to_a_public_address_fails_the_test():
    s = socket.socket()
    try:
        with pytest.raises(pytest.fail.Exception, match="network"):
            s.connect(("149.154.167.220", 443))
    finally:
        s.close()


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    client = socket.socket()
    try:
        client.connect(server.getsockname())
    finally:
        client.close()
        server.close()
