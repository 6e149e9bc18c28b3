"""Where a webhook may post: public https servers only, every resolved address checked."""

from __future__ import annotations

import socket

import pytest

from app.webhooks.delivery import allow_local
from app.webhooks.transport import Refused, check_url, post

LOOPBACK = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))]


def _resolves_to(*addresses: str):  # type: ignore[no-untyped-def]
    def resolve(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, 1, 6, "", (a, port))
            for a in addresses
        ]

    return resolve


# One test over the table, not one each: every test pays for wiping the database.
REFUSED = [
    ("https://127.0.0.1/in", "loopback"),
    ("https://10.0.0.1/in", "private"),
    ("https://169.254.169.254/latest/meta-data", "metadata"),
    ("https://[fd00:ec2::254]/", "metadata"),
    ("https://[::1]/in", "loopback"),
    ("https://[::ffff:127.0.0.1]/in", "loopback"),
    ("https://[fe80::1]/in", "link-local"),
    ("https://[fc00::5]/in", "private"),
    ("https://0.0.0.0/in", "unspecified"),
    ("https://224.0.0.1/in", "multicast"),
    ("https://240.0.0.1/in", "reserved"),
    ("https://100.64.0.1/in", "not a public"),
    ("https://localhost/in", "loopback"),
    ("https://2130706433/in", "loopback"),  # 127.0.0.1 written as a number
    ("http://hooks.example.com/in", "https://"),
    ("ftp://hooks.example.com/in", "https://"),
    ("https://user:pw@hooks.example.com/in", "user name"),
    ("https://hooks.example.com:99999/in", "port"),
    ("https://hooks.example .com/in", "spaces"),
    ("https://hooks.example.com/\x00", "control"),
    ("https:///in", "no host"),
    ("", "Enter"),
    ("https://h.example.com/" + "a" * 2000, "too long"),
]


def test_refused_addresses_say_why():
    wrong = []
    for url, why in REFUSED:
        try:
            check_url(url)
            wrong.append(f"{url[:60]}: accepted")
        except Refused as err:
            if why not in err.message or err.field != "url":
                wrong.append(f"{url[:60]}: {err.message}")
    assert wrong == []


def test_every_resolved_address_is_checked():
    with pytest.raises(Refused, match="private"):
        check_url("https://hooks.example.com/", resolve=_resolves_to("93.184.215.14", "10.1.2.3"))


def test_a_name_resolving_to_loopback_is_refused():
    with pytest.raises(Refused, match=r"loopback.*127\.0\.0\.1"):
        check_url("https://rebind.example.com/", resolve=lambda *a, **k: LOOPBACK)


def test_a_name_that_does_not_resolve_is_refused():
    def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise socket.gaierror("no such name")

    with pytest.raises(Refused, match="could not be found"):
        check_url("https://nowhere.example.com/", resolve=fail)


def test_a_public_https_address_is_kept_with_its_checked_addresses():
    target = check_url(
        "https://Hooks.Example.com:8443/in?team=7",
        resolve=_resolves_to("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
    )
    assert (target.host, target.port, target.path) == ("hooks.example.com", 8443, "/in?team=7")
    assert target.addresses == ("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")


def test_the_development_exception_opens_http_to_this_machine_only():
    assert check_url("http://127.0.0.1:8080/in", allow_local=True).addresses == ("127.0.0.1",)
    assert check_url("http://[::1]:8080/in", allow_local=True).addresses == ("::1",)
    for url in ("http://10.0.0.1/", "https://169.254.169.254/"):
        with pytest.raises(Refused):
            check_url(url, allow_local=True)


def test_the_development_exception_needs_development_or_tests(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_HTTP_LOCAL", True)
    assert allow_local(app)
    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.delenv("LISTENING_POST_ENV", raising=False)
    assert not allow_local(app)  # production ignores the flag


def test_the_checked_address_is_the_one_connected_to(receiver, monkeypatch):
    """No second lookup (DNS rebinding): the name goes in the Host header only."""
    port = int(receiver.url.split(":")[2].split("/")[0])
    target = check_url(
        f"http://rebind.example.com:{port}/in",
        allow_local=True,
        resolve=lambda *a, **k: [(socket.AF_INET, 1, 6, "", ("127.0.0.1", port))],
    )

    real = socket.getaddrinfo

    def no_lookup(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        assert host == "127.0.0.1", f"{host} resolved a second time"  # a literal is no lookup
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_lookup)
    assert post(target, b"{}", {"Content-Type": "application/json"}).status == 200
    assert receiver.got[0].headers["Host"] == f"rebind.example.com:{port}"


def test_a_receiver_that_does_not_answer_times_out():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        target = check_url(f"http://127.0.0.1:{port}/in", allow_local=True)
        with pytest.raises(TimeoutError):
            post(target, b"{}", {}, timeout=0.2)
