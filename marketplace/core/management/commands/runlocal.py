"""`manage.py runlocal`: the development server plus beat's periodic tasks, for `make run`.

It says where the site is. Bound to every interface (0.0.0.0, :: or runserver's 0) that is
http://localhost:PORT here, since 0.0.0.0 is no address a browser can open, plus this machine's
network address for other devices; with DEBUG on, this machine's names and addresses are then
accepted as hosts. Bound to one address or name, that one is accepted. Links made outside a
request (emails, invites) follow the printed address unless SITE_URL is set.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand

from marketplace.core import local_beat
from marketplace.core.env import env_str

ALL_INTERFACES = {"0.0.0.0", "::", "0"}  # noqa: S104 - recognised here, bound by runserver
# Documentation addresses (RFC 5737, RFC 3849): a UDP socket "connected" to one sends nothing, and
# the address it picks is the one this machine uses on its network.
_ROUTE_PROBES = ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1"))


def as_host(address: str) -> str:
    """An address as a Host header carries it: an IPv6 one in brackets."""
    return f"[{address}]" if ":" in address and not address.startswith("[") else address


def _addresses_of(name: str) -> list[str]:
    try:
        return [str(info[4][0]) for info in socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)]
    except (OSError, UnicodeError):
        return []


def _route_addresses() -> list[str]:
    found = []
    for family, probe in _ROUTE_PROBES:
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as udp:
                udp.connect((probe, 9))
                found.append(str(udp.getsockname()[0]))
        except OSError:
            continue  # no network of that family
    return found


def machine_hosts() -> list[str]:
    """This machine's names and addresses as another device on its network would reach it: its
    host name (and the .local name macOS and Avahi announce), the addresses the name resolves to,
    and the addresses it uses on its networks."""
    name = socket.gethostname()
    found = [name, f"{name}.local", *_addresses_of(name)] if name else []
    found += _route_addresses()
    # A link-local address with its zone ("fe80::1%eth0") cannot be typed in a URL.
    return list(dict.fromkeys(as_host(host).lower() for host in found if "%" not in host))


def network_url(hosts: list[str], port: str) -> str | None:
    """The URL another device on the network opens: the first address that is not loopback."""
    for host in hosts:
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            continue
        if address.version == 4 and not address.is_loopback and not address.is_unspecified:
            return f"http://{host}:{port}/"
    return None


class Command(RunserverCommand):
    help = "runserver, and with no broker (the embedded default) the periodic tasks in-process too."
    addr: str  # set by runserver's handle() from the address argument, brackets removed
    port: str

    def run(self, **options: Any) -> None:
        # Runs in the process that serves, too (the autoreloader's child runs the command again).
        self.everywhere = self.addr in ALL_INTERFACES
        self.url_host = "localhost" if self.everywhere else as_host(self.addr)
        self.other_hosts = machine_hosts() if self.everywhere else [self.url_host]
        if settings.DEBUG:
            settings.ALLOWED_HOSTS = list(dict.fromkeys([*settings.ALLOWED_HOSTS, *self.other_hosts]))
        if not env_str("SITE_URL"):
            settings.SITE_URL = f"http://{self.url_host}:{self.port}"
        super().run(**options)

    def inner_run(self, *args: Any, **options: Any) -> None:
        # In the process that serves (the autoreloader's child): a reload starts a fresh thread.
        local_beat.start()
        super().inner_run(*args, **options)

    def on_bind(self, server_port: int) -> None:
        super().on_bind(server_port)
        where = f"http://{self.url_host}:{server_port}/"
        if self.everywhere:
            elsewhere = network_url(self.other_hosts, str(server_port))
            where += " (listening on all interfaces"
            where += f"; from other devices on your network: {elsewhere})" if elsewhere else ")"
        admin = f"/{settings.ADMIN_URL}"
        self.stdout.write(f"Dimsum is at {where}  (API docs: /api/docs/, admin: {admin})")
