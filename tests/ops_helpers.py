"""Real processes for the production tests: a `chroma run` server and `advisor serve` app servers,
each on a free loopback port, waited for, and stopped (terminate, then kill) at the end."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**overrides) -> dict:
    """The test process's environment without any ADVISOR_* setting, plus offline flags and `overrides`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
    env.update(OFFLINE)
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def advisor_cli(*args, env: dict, timeout: float = 180, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "advisor", *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout
    )
    if check and done.returncode != 0:
        raise AssertionError(f"advisor {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def _stop(process: subprocess.Popen, grace: float = 10) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class ChromaServer:
    """`chroma run --path DIR --host 127.0.0.1 --port N`, from the chromadb package in this venv."""

    def __init__(self, path: Path, log: Path, port: int | None = None):
        self.path, self.log_path = Path(path), Path(log)
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> ChromaServer:
        exe = Path(sys.executable).with_name("chroma")
        exe = str(exe) if exe.exists() else shutil.which("chroma")
        assert exe, "the chroma CLI (from the chromadb package) is not installed"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [exe, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=clean_env(),
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chroma run exited {self.process.returncode}: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"chroma run on port {self.port} did not answer its heartbeat in {timeout} s")

    def kill(self) -> None:
        """Abrupt failure: SIGKILL, as a crashed or unplugged server."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process:
            _stop(self.process)


class AppServer:
    """`python -m advisor serve` (uvicorn) in its own process with its own data folder."""

    def __init__(self, name: str, workdir: Path, env: dict):
        self.name = name
        self.port = free_port()
        self.data_dir = Path(workdir) / f"{name}-data"
        self.log_path = Path(workdir) / f"{name}.log"
        self.env = {**env, "ADVISOR_DATA_DIR": str(self.data_dir)}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "advisor", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    def wait_ready(self, timeout: float = 240) -> AppServer:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app {self.name} exited {self.process.returncode}: {self.log()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=10).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"app {self.name} was not ready in {timeout} s: {self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def ask(self, question: str, timeout: float = 60) -> httpx.Response:
        return httpx.post(f"{self.url}/api/ask", json={"question": question}, timeout=timeout)

    def stop(self) -> None:
        if self.process:
            _stop(self.process, grace=15)
