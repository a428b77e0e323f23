"""A throwaway PostgreSQL server for tests: initdb + pg_ctl in a temporary folder, Unix socket only.

When the tests run as root, the server runs as an unprivileged user (postgres, else nobody),
because PostgreSQL refuses to run as root. Missing binaries fail loudly: `make test` installs them.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg


def find_pg_bin() -> Path:
    candidates = [os.environ.get("PG_BIN", "")]
    which = shutil.which("pg_ctl")
    if which:
        candidates.append(str(Path(which).parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    raise RuntimeError(
        "PostgreSQL binaries (initdb, pg_ctl) not found: run `make test` (it installs them) "
        "or set PG_BIN to their folder"
    )


class PostgresServer:
    def __init__(self) -> None:
        self.bin = find_pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="annotator-pg-"))
        self.data = self.dir / "data"
        self.socket_dir = self.dir
        self.run_as: str | None = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    pw = pwd.getpwnam(name)
                except KeyError:
                    continue
                self.run_as = name
                os.chown(self.dir, pw.pw_uid, pw.pw_gid)
                break
            else:
                raise RuntimeError("running as root and no unprivileged user (postgres/nobody) to run PostgreSQL")
        self.user = self.run_as or pwd.getpwuid(os.geteuid()).pw_name

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, cwd=self.dir)

    def start(self) -> "PostgresServer":
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", self.user, "-E", "UTF8", "--no-sync")
        opts = f"-c listen_addresses='' -k {self.socket_dir} -c fsync=off -c max_connections=60"
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"), "-w", "start")
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@/{dbname}?host={self.socket_dir}"

    def create_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(host=str(self.socket_dir), user=self.user, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
