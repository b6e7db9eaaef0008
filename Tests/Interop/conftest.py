"""Fixtures for interop tests: the `mlops` binary run as a separate process, on free ports."""

import os
import pathlib
import socket
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def mlops_binary() -> str:
    path = os.environ.get("MLOPS_BIN") or str(ROOT / ".build" / "debug" / "mlops")
    if not os.access(path, os.X_OK):
        pytest.fail(f"no mlops binary at {path}: run scripts/test, which builds it")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def grpc_service(tmp_path):
    """Starts `mlops NAME` alone and yields its address once it accepts connections."""
    started = []

    def start(name: str) -> str:
        port = free_port()
        env = dict(os.environ, **{f"MLOPS_{name.upper()}_ADDR": f"127.0.0.1:{port}"})
        log = open(tmp_path / f"{name}.log", "w")
        process = subprocess.Popen([mlops_binary(), name], env=env, stdout=log, stderr=log, cwd=tmp_path)
        started.append(process)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"mlops {name} exited early: {(tmp_path / f'{name}.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return f"127.0.0.1:{port}"
            except OSError:
                time.sleep(0.05)
        pytest.fail(f"mlops {name} did not listen on {port}")

    start.processes = started
    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
        assert process.wait(timeout=30) == 0, "the service did not shut down cleanly on SIGTERM"
