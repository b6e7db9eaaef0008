"""Fixtures for interop tests: the `mlops` binary run as a separate process, on free ports."""

import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time

import boto3
import grpc
import httpx
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


def mtls_credentials(tls: pathlib.Path, with_certificate: bool = True):
    """grpcio's credentials from a local CA folder: its CA, and the service certificate."""
    if not with_certificate:
        return grpc.ssl_channel_credentials(root_certificates=(tls / "ca.pem").read_bytes())
    return grpc.ssl_channel_credentials(
        root_certificates=(tls / "ca.pem").read_bytes(),
        private_key=(tls / "service-key.pem").read_bytes(),
        certificate_chain=(tls / "service.pem").read_bytes(),
    )


@pytest.fixture
def grpc_service(tmp_path):
    """Starts `mlops NAME` alone and yields its address once it accepts connections.

    The service speaks mutual TLS with the local CA it makes in its data folder;
    `grpc_service.channel(address)` opens a channel with that CA's certificate.
    """
    started = []
    data = tmp_path / "data"

    def start(name: str) -> str:
        port = free_port()
        env = dict(os.environ, MLOPS_DATA_DIR=str(data), **{f"MLOPS_{name.upper()}_ADDR": f"127.0.0.1:{port}"})
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
    start.tls = data / "tls"
    start.channel = lambda address: grpc.secure_channel(address, mtls_credentials(data / "tls"))
    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
        assert process.wait(timeout=30) == 0, "the service did not shut down cleanly on SIGTERM"


@pytest.fixture
def mlops_serve(tmp_path):
    """Starts `mlops serve` on free ports with its own embedded PostgreSQL; yields its base URL.

    Call it with extra environment variables (stream timings, say) to start it. Afterwards
    `mlops_serve.token(user)` mints a bearer token from its local issuer and
    `mlops_serve.headers` carries one for the local user, the one `mlops run` calls as.
    """
    started = []

    def start(**extra_env: str) -> str:
        http = free_port()
        # The embedded PostgreSQL runs as the postgres user, which pytest's private tmp_path shuts out.
        data = tempfile.mkdtemp(prefix="mlops-interop-", dir="/tmp")
        os.chmod(data, 0o755)
        env = dict(os.environ, MLOPS_HTTP_PORT=str(http), MLOPS_DATA_DIR=data, **extra_env)
        env.pop("DATABASE_URL", None)
        for name in ("PLANNER", "CRITICS", "POLICY", "CODEGEN"):
            env[f"MLOPS_{name}_ADDR"] = f"127.0.0.1:{free_port()}"
        log_path = tmp_path / "serve.log"
        process = subprocess.Popen(
            [mlops_binary(), "serve"], env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT, cwd=tmp_path
        )
        started.append((process, data))
        start.data_dir = data
        base = f"http://127.0.0.1:{http}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"mlops serve exited early: {log_path.read_text()}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    start.headers = {"Authorization": f"Bearer {start.token()}"}
                    return base
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        pytest.fail("mlops serve never became ready")

    def token(user: str = "local-user", *groups: str) -> str:
        arguments = [mlops_binary(), "token", "--user", user, "--ttl", "3600"]
        for group in groups:
            arguments += ["--group", group]
        minted = subprocess.run(arguments, env=dict(os.environ, MLOPS_DATA_DIR=start.data_dir),
                                capture_output=True, text=True, check=True)
        return minted.stdout.strip()

    start.token = token
    yield start
    for process, data in started:
        process.terminate()
        assert process.wait(timeout=30) == 0, "mlops serve did not shut down cleanly on SIGTERM"
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def moto_server():
    port = free_port()
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        # AWS-managed policies (AmazonECSTaskExecutionRolePolicy, ...) exist, as in an account.
        env=dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true"),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    s3 = boto3.client("s3", endpoint_url=url, region_name="eu-west-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    while time.time() < deadline:
        try:
            s3.list_buckets()
            break
        except Exception:
            time.sleep(0.1)
    yield url, s3
    # moto's threaded server does not always stop on SIGTERM; nothing may outlive the test.
    process.kill()
    process.wait(timeout=10)
