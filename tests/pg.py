"""A throwaway PostgreSQL server for tests: initdb in a temporary directory, on a free
loopback port, trust authentication, stopped and removed afterwards.

Debian's server binaries live in /usr/lib/postgresql/<version>/bin (`make test` installs
the `postgresql` package). PostgreSQL refuses to run as root, so as root the server runs
as the `postgres` user the package creates.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def server_binaries() -> Path:
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3])
    )
    if not versions:
        raise RuntimeError(
            "PostgreSQL server binaries not found in /usr/lib/postgresql: "
            "apt-get install postgresql (make test does)"
        )
    return versions[-1].parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh, empty database."""
    bin_dir = server_binaries()
    root = Path(tempfile.mkdtemp(prefix="tem-pg-"))
    data = root / "data"
    as_user: dict[str, Any] = {}
    if os.geteuid() == 0:
        # Drop to the package's `postgres` user in the child (no runuser/su: CI's PATH
        # may lack sbin); its working directory must be one it may enter.
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        as_user = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
    port = _free_port()

    def run(*args: str, check: bool = True) -> None:
        done = subprocess.run(args, capture_output=True, timeout=120, cwd=root, **as_user)
        if check and done.returncode != 0:
            raise RuntimeError(
                f"{Path(args[0]).name} failed ({done.returncode}): "
                f"{done.stderr.decode(errors='replace')[-2000:]}"
            )

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "tem", "-A", "trust", "-E", "UTF8")
    run(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(root / "server.log"),
        "-w",
        "-o",
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
        "start",
    )
    try:
        yield f"postgresql+psycopg://tem@127.0.0.1:{port}/postgres"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop", check=False)
        shutil.rmtree(root, ignore_errors=True)
