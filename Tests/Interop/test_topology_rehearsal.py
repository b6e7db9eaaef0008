"""The production topology rehearsed on one machine: every service its own process, the
Planner as two replicas behind one address list, Edge (`mlops edge`) calling them round robin.
Killing one replica while its calls are in flight fails none of the runs."""

import os
import signal
import subprocess
import tempfile
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from chat_model_stub import start_chat_model
from conftest import free_port, mlops_binary

BRIEF = "Fraud scoring at checkout, p95 under 80 ms, about $3k a month, PII, EU regions only."


def _planner_calls(metrics_port: int) -> float:
    text = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
    return sum(sample.value for family in text_string_to_metric_families(text)
               if family.name == "grpc_server_handled" for sample in family.samples
               if sample.labels.get("grpc_service") == "mlops.v1.Planner")


def _wait_listening(process, port, log, what):
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited early: {open(log).read()}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    pytest.fail(f"{what} never listened")


def _stop(processes):
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_run_survives_a_planner_replica_killed_mid_run(tmp_path):
    # The embedded PostgreSQL runs as the postgres user, which pytest's private tmp_path shuts out.
    data = tempfile.mkdtemp(prefix="mlops-rehearsal-", dir="/tmp")
    os.chmod(data, 0o755)
    env = dict(os.environ, MLOPS_DATA_DIR=data, MLOPS_VALIDATORS="secret-scan")
    env.pop("DATABASE_URL", None)
    started = []
    # A model that takes 0.4 s to answer: every planner call is in flight long enough to be cut
    # off by a kill.
    model_url, model = start_chat_model(delay=0.4)
    slow_model = {"MLOPS_LLM_PROVIDER": "openai", "MLOPS_LLM_BASE_URL": model_url,
                  "MLOPS_LLM_MODEL": "slow-model", "MLOPS_LLM_API_KEY": "test", "MLOPS_LLM_MAX_ATTEMPTS": "1",
                  "MLOPS_LLM_BREAKER_FAILURES": "1000"}

    def start(name, extra, log_name):
        log = tmp_path / f"{log_name}.log"
        process = subprocess.Popen([mlops_binary(), *name], env={**env, **extra}, stdout=open(log, "w"),
                                   stderr=subprocess.STDOUT, cwd=tmp_path)
        started.append(process)
        return process, log

    try:
        replicas = []
        for index in range(2):
            grpc_port, metrics_port = free_port(), free_port()
            process, log = start(["planner"], {"MLOPS_PLANNER_ADDR": f"127.0.0.1:{grpc_port}",
                                               "MLOPS_METRICS_ADDR": f"127.0.0.1:{metrics_port}", **slow_model},
                                 f"planner-{index}")
            _wait_listening(process, metrics_port, log, f"planner replica {index}")
            replicas.append((process, grpc_port, metrics_port))
        addresses = {"MLOPS_PLANNER_ADDR": ",".join(f"127.0.0.1:{grpc}" for _, grpc, _ in replicas)}
        for service in ("critics", "policy", "codegen"):
            grpc_port, metrics_port = free_port(), free_port()
            addresses[f"MLOPS_{service.upper()}_ADDR"] = f"127.0.0.1:{grpc_port}"
            process, log = start([service], {f"MLOPS_{service.upper()}_ADDR": f"127.0.0.1:{grpc_port}",
                                             "MLOPS_METRICS_ADDR": f"127.0.0.1:{metrics_port}"}, service)
            _wait_listening(process, metrics_port, log, service)
        http = free_port()
        edge, edge_log = start(["edge"], {**addresses, "MLOPS_HTTP_PORT": str(http)}, "edge")
        base = f"http://127.0.0.1:{http}"
        deadline = time.monotonic() + 90
        while True:
            if edge.poll() is not None:
                pytest.fail(f"mlops edge exited early: {open(edge_log).read()}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("mlops edge never became ready")
            time.sleep(0.1)
        token = subprocess.run([mlops_binary(), "token", "--user", "local-user", "--ttl", "3600"], env=env,
                               capture_output=True, text=True, check=True).stdout.strip()
        auth = {"Authorization": f"Bearer {token}"}
        project = httpx.post(f"{base}/v1/projects", json={"name": "rehearsal"}, headers=auth).json()["id"]

        def submit():
            created = httpx.post(f"{base}/v1/projects/{project}/decision-sets", json={"brief": BRIEF}, headers=auth)
            assert created.status_code == 202, created.text
            return created.json()["id"]

        def statuses(ids):
            return [httpx.get(f"{base}/v1/decision-sets/{i}", headers=auth).json()["status"] for i in ids]

        # Round robin: a few runs reach both replicas.
        warm = [submit() for _ in range(4)]
        deadline = time.monotonic() + 60
        while any(s == "running" for s in statuses(warm)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert statuses(warm) == ["waiting_for_approval"] * 4
        assert all(_planner_calls(metrics) > 0 for _, _, metrics in replicas), "round robin reached one replica only"

        # Runs in flight, then one replica killed outright; every run still reaches its gate.
        flying = [submit() for _ in range(8)]
        time.sleep(0.2)
        survivor_before = _planner_calls(replicas[1][2])
        replicas[0][0].send_signal(signal.SIGKILL)
        replicas[0][0].wait(timeout=10)
        assert "running" in statuses(flying), "every run had finished before the kill: nothing was mid-run"
        flying += [submit() for _ in range(4)]
        deadline = time.monotonic() + 120
        while any(s == "running" for s in statuses(flying)) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert statuses(flying) == ["waiting_for_approval"] * len(flying), open(edge_log).read()[-3000:]
        # The calls the kill cut off were retried on the survivor inside the step: no job failed
        # (without the retry each would spend one of its job's attempts).
        assert "job failed" not in open(edge_log).read()
        # The survivor took the planner calls of the runs still in flight and of the later ones.
        assert _planner_calls(replicas[1][2]) >= survivor_before + 4
    finally:
        _stop(started)
        model.shutdown()
        subprocess.run(["rm", "-rf", data], check=False)


def _fresh_database(name: str) -> str:
    """A new database on the test server (scripts/test starts one), as RDS would be."""
    url = os.environ.get("MLOPS_TEST_DATABASE_URL")
    if not url:
        pytest.fail("MLOPS_TEST_DATABASE_URL is not set: run scripts/test, which starts a PostgreSQL")
    subprocess.run(["psql", url, "-q", "-c", f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}"],
                   check=True, capture_output=True, timeout=60)
    base, _, query = url.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


def test_the_ecs_settings_on_separate_machines(tmp_path):
    """Each process as its ECS task runs it: its own data folder (its own disk), gRPC in
    plaintext to the mesh (MLOPS_GRPC_TLS=mesh), git history in PostgreSQL, rejected replies to
    the log, and the API and the worker apart. The API reads a version the worker committed on
    its machine, and a plaintext gRPC client gets the services' health."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    database = _fresh_database("mlops_ecs_rehearsal")
    ecs = {"MLOPS_GRPC_TLS": "mesh", "MLOPS_QUARANTINE": "log", "MLOPS_VALIDATORS": "secret-scan"}
    edge_settings = {"DATABASE_URL": database, "MLOPS_REPOSITORIES": "database",
                     "MLOPS_DOWNLOAD_SECRET": "one-secret-for-every-replica"}
    started = []

    def start(arguments, machine, extra):
        folder = tmp_path / machine
        folder.mkdir(exist_ok=True)
        log = tmp_path / f"{machine}.log"
        env = {key: value for key, value in os.environ.items() if not key.startswith(("MLOPS_TLS_", "DATABASE_"))}
        env.update(ecs, MLOPS_DATA_DIR=str(folder), **extra)
        process = subprocess.Popen([mlops_binary(), *arguments], env=env, stdout=open(log, "w"),
                                   stderr=subprocess.STDOUT, cwd=folder)
        started.append(process)
        return process, log

    try:
        addresses = {}
        for service in ("planner", "critics", "policy", "codegen"):
            grpc_port, metrics_port = free_port(), free_port()
            addresses[f"MLOPS_{service.upper()}_ADDR"] = f"127.0.0.1:{grpc_port}"
            process, log = start([service], service, {f"MLOPS_{service.upper()}_ADDR": f"127.0.0.1:{grpc_port}",
                                                      "MLOPS_METRICS_ADDR": f"127.0.0.1:{metrics_port}"})
            _wait_listening(process, metrics_port, log, service)
        with grpc.insecure_channel(addresses["MLOPS_PLANNER_ADDR"]) as channel:
            health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
            assert health.status == health_pb2.HealthCheckResponse.SERVING

        http, worker_port = free_port(), free_port()
        api, api_log = start(["edge", "--role", "api"], "api-machine",
                             {**addresses, **edge_settings, "MLOPS_HTTP_PORT": str(http)})
        _wait_listening(api, http, api_log, "the API")
        worker, worker_log = start(["worker"], "worker-machine",
                                   {**addresses, **edge_settings, "MLOPS_WORKER_PORT": str(worker_port)})
        _wait_listening(worker, worker_port, worker_log, "the worker")
        base = f"http://127.0.0.1:{http}"
        token = subprocess.run(
            [mlops_binary(), "token", "--user", "local-user", "--ttl", "3600"],
            env=dict(os.environ, MLOPS_DATA_DIR=str(tmp_path / "api-machine")), capture_output=True, text=True,
            check=True).stdout.strip()
        auth = {"Authorization": f"Bearer {token}"}
        # Only the secret scan runs here, so the project takes bundles the full suite did not check.
        project = httpx.post(f"{base}/v1/projects", json={"name": "ecs", "allow_incomplete_bundles": True},
                             headers=auth).json()["id"]
        created = httpx.post(f"{base}/v1/projects/{project}/decision-sets", json={"brief": BRIEF}, headers=auth)
        assert created.status_code == 202, created.text
        decision = created.json()["id"]

        def status():
            return httpx.get(f"{base}/v1/decision-sets/{decision}", headers=auth).json()["status"]

        for wanted in ("waiting_for_approval", "completed"):
            deadline = time.monotonic() + 120
            while status() not in (wanted, "failed", "rejected", "blocked") and time.monotonic() < deadline:
                time.sleep(0.3)
            assert status() == wanted, open(worker_log).read()[-3000:]
            if wanted == "waiting_for_approval":
                approved = httpx.post(f"{base}/v1/decision-sets/{decision}/approve", json={"status": "approved"},
                                      headers=auth)
                assert approved.status_code == 202, approved.text

        # The worker committed on its machine; the API's machine has no copy until it asks.
        assert list((tmp_path / "worker-machine" / "repositories").glob("*.git"))
        assert not list((tmp_path / "api-machine" / "repositories").glob("*.git"))
        changes = httpx.get(f"{base}/v1/decision-sets/{decision}/changes", headers=auth)
        assert changes.status_code == 200, changes.text
        assert changes.json()["files"], changes.text
        assert list((tmp_path / "api-machine" / "repositories").glob("*.git"))
        # Nothing a process keeps is under another's folder: no quarantine folder anywhere.
        assert not list(tmp_path.glob("*/quarantine"))
    finally:
        _stop(started)
