"""Real PostgreSQL and Redis servers for the shared-services tests, each on a free loopback port with
its files in a temporary folder, started and stopped (or killed) by the tests.

Both come from Debian packages (`postgresql`, `redis-server`; test.sh installs them when missing).
PostgreSQL refuses to run as root: as root, the cluster is created and run as the `postgres` user
(runuser); as anyone else, as that user."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.ops_helpers import free_port


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def missing() -> list[str]:
    """What is not installed, by Debian package name."""
    out = []
    if not (_pg_bin("initdb") and _pg_bin("pg_ctl")):
        out.append("postgresql")
    if not shutil.which("redis-server"):
        out.append("redis-server")
    return out


class Postgres:
    """A throwaway cluster: initdb, then pg_ctl start/stop; `kill()` is SIGKILL to the postmaster."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.root = Path(tempfile.mkdtemp(prefix="advisor-pg-"))
        self.data, self.log = self.root / "data", self.root / "postgres.log"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.root, "postgres")
            self.root.chmod(0o700)

    @property
    def url(self) -> str:
        return f"postgresql://advisor@127.0.0.1:{self.port}/advisor"

    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = ["runuser", "-u", "postgres", "--", *args] if self.as_root else list(args)
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=self.root)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} exited {done.returncode}: {done.stdout}{done.stderr}")
        return done

    def init(self) -> Postgres:
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "advisor", "--auth=trust", "-E", "UTF8", "--no-sync")
        return self

    def start(self, timeout: float = 60) -> Postgres:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        deadline = time.monotonic() + timeout
        while True:  # right after a kill the old shared memory may still be going away: retry
            done = self._run(
                _pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start", check=False
            )
            if done.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"PostgreSQL did not start: {done.stdout}{done.stderr}{self.log.read_text()[-2000:]}"
                )
            time.sleep(0.5)
        self._run(
            _pg_bin("createdb") or "createdb",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "advisor",
            "advisor",
            check=False,
        )
        return self

    def pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None

    def kill(self) -> None:
        """As a crash: SIGKILL to the postmaster, then wait for its backends to go."""
        pid = self.pid()
        if not pid:
            return
        children = _children(pid)  # this cluster's backends, by process id
        os.kill(pid, signal.SIGKILL)
        for child in children:  # they would exit on their own once they notice; a crash takes them too
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        for p in (pid, *children):
            for _ in range(100):
                try:
                    os.kill(p, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)

    def stop(self) -> None:
        if self.pid():
            self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def _children(pid: int) -> list[int]:
    out = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(Path(stat).parent.name))
    return out


class Redis:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.root = Path(tempfile.mkdtemp(prefix="advisor-redis-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20) -> Redis:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return self
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError(f"redis-server on port {self.port} did not answer PING")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)
