"""`manage.py runlocal` (`make run`) on every interface or on one address: the address it prints,
the hosts it answers to, and where emails link."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.staticfiles.management.commands import runserver
from django.core.management import call_command
from django.http.request import validate_host

from marketplace.core.management.commands import runlocal

ROOT = Path(__file__).resolve().parents[2]
LAN = ["laptop", "laptop.local", "127.0.1.1", "192.168.1.20", "[fd00::20]"]


@pytest.fixture
def not_serving(monkeypatch):  # type: ignore[no-untyped-def]
    """runlocal configured as for serving, without starting the server."""
    monkeypatch.setattr(runserver.Command, "run", lambda self, **options: None)
    monkeypatch.setattr(runlocal, "machine_hosts", lambda: list(LAN))
    monkeypatch.delenv("SITE_URL", raising=False)


def _runlocal(address: str, **options: object) -> runlocal.Command:
    command = runlocal.Command(stdout=StringIO())
    call_command(command, address, **options)
    return command


def test_on_every_interface_it_answers_to_this_machines_names_and_links_to_localhost(settings, not_serving):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
    settings.SITE_URL = "http://127.0.0.1:8000"
    _runlocal("0.0.0.0:8301")
    answered = settings.ALLOWED_HOSTS
    assert answered == ["localhost", "127.0.0.1", "[::1]", *LAN]
    assert settings.SITE_URL == "http://localhost:8301"


def test_on_one_address_it_answers_to_that_address(settings, not_serving):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
    _runlocal("192.168.1.20:8100")
    assert settings.ALLOWED_HOSTS == ["localhost", "127.0.0.1", "[::1]", "192.168.1.20"]
    assert settings.SITE_URL == "http://192.168.1.20:8100"
    _runlocal("[::1]:8100")
    assert settings.SITE_URL == "http://[::1]:8100"


def test_a_site_url_that_is_set_wins_and_debug_off_adds_no_host(settings, not_serving, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://dimsum.example")
    settings.SITE_URL = "https://dimsum.example"
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["dimsum.example"]
    _runlocal("0.0.0.0:8301")
    assert settings.ALLOWED_HOSTS == ["dimsum.example"]
    assert settings.SITE_URL == "https://dimsum.example"


def test_it_prints_localhost_and_the_network_address_not_0_0_0_0(settings, not_serving):
    settings.DEBUG = True
    command = _runlocal("0.0.0.0:8301")
    command.on_bind(8301)
    said = command.stdout.getvalue()  # type: ignore[attr-defined]
    assert (
        "Dimsum is at http://localhost:8301/ (listening on all interfaces; "
        "from other devices on your network: http://192.168.1.20:8301/)"
    ) in said
    assert "Dimsum is at http://0.0.0.0" not in said

    command = _runlocal("127.0.0.1:8000")
    command.on_bind(8000)
    assert "Dimsum is at http://127.0.0.1:8000/  (API docs: /api/docs/, admin: /admin/)" in (
        command.stdout.getvalue()  # type: ignore[attr-defined]
    )


def test_this_machines_names_and_addresses_are_valid_hosts():
    hosts = runlocal.machine_hosts()
    assert socket.gethostname().lower() in hosts
    for host in hosts:
        assert "%" not in host and host == host.lower()
        assert validate_host(host, [host]), host
        if ":" in host:
            assert host.startswith("[") and host.endswith("]"), host


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status(port: int, host: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/robots.txt", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.mark.slow
def test_make_run_on_every_interface_serves_localhost_the_network_address_and_a_named_host(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SITE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        ALLOWED_HOSTS="dimsum.lan",
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",  # no in-process beat: this test serves one file
        PYTHONUNBUFFERED="1",
    )
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runlocal", f"0.0.0.0:{port}", "--noreload", "--skip-checks"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        said = ""
        deadline = time.monotonic() + 60
        while "Dimsum is at" not in said and time.monotonic() < deadline and server.stdout:
            said += server.stdout.readline()
        assert f"Dimsum is at http://localhost:{port}/ (listening on all interfaces" in said, said
        network = runlocal.network_url(runlocal.machine_hosts(), str(port))
        hosts = [f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "dimsum.lan"]
        if network:
            hosts.append(network.split("/")[2])
        assert {host: _status(port, host) for host in hosts} == dict.fromkeys(hosts, 200)
        assert _status(port, "evil.example") == 400
    finally:
        server.terminate()
        server.wait(timeout=10)
