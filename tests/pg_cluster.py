"""`python -m tests.pg_cluster -- COMMAND...`: run COMMAND with TEST_DATABASE_URL set to a throwaway PostgreSQL.

PostgreSQL refuses to run as root, so as root the cluster runs as an unprivileged `safecity-pg` user
(created if missing). fsync and friends are off: the data dies with the run anyway. Exits 0 without
running anything (and says so) when no PostgreSQL binaries are installed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

PG_USER = "safecity-pg"


def _as_pg_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    if subprocess.run(["id", PG_USER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home", PG_USER], check=True)
    return ["runuser", "-u", PG_USER, "--", *command]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main(command: list[str]) -> int:
    if shutil.which("initdb") is None or shutil.which("pg_ctl") is None:
        print("pg_cluster: no PostgreSQL binaries here; skipping the PostgreSQL run")  # noqa: T201
        return 0
    root = Path(tempfile.mkdtemp(prefix="safecity-pg-"))
    os.chmod(root, 0o777)  # the unprivileged cluster owner writes here
    data, port = root / "data", _free_port()
    subprocess.run(
        _as_pg_user(["initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
        check=True,
        capture_output=True,
    )
    options = (
        f"-k {root} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        _as_pg_user(["pg_ctl", "-D", str(data), "-l", str(root / "pg.log"), "-w", "-o", options, "start"]),
        check=True,
        capture_output=True,
    )
    try:
        env = {**os.environ, "TEST_DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/postgres"}
        return subprocess.run(command, env=env).returncode
    finally:
        subprocess.run(_as_pg_user(["pg_ctl", "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    raise SystemExit(main(args[1:] if args[:1] == ["--"] else args))
