"""A real gunicorn server (several processes) on the test database, for race and browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(
    database_url: str, instance_path: str, *, workers: int = 2, threads: int = 4
) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "live-server-secret-key-for-tests-only",
        "INSTANCE_PATH": instance_path,
        "BASE_URL": f"http://127.0.0.1:{port}",
        # Loading the model after the first request would take the processor from the test's
        # first steps; tests/insights/test_services.py tests the warm-up itself.
        "LIBRARY_WARM_UP": "0",
    }
    env.pop("FLASK_DEBUG", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            # The app is made once and forked: each browser test starts a server, and making it
            # in every worker was most of a server's start (it opens no connection until asked).
            "--preload",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/login", timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the live server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
