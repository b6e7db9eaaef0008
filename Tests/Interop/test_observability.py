"""Traces, metrics and logs of `mlops serve` and of each standalone service, read by tools we
did not write: an OTLP receiver built from PyPI's opentelemetry-proto behind a grpcio server,
prometheus_client's text parser, and a chat model stand-in the planner calls over HTTP."""

import json
import re
import time

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client.parser import text_string_to_metric_families

from chat_model_stub import start_chat_model
from conftest import ROOT, free_port
from otlp_receiver import start_receiver

BRIEF = "Fraud scoring at checkout, p95 under 80 ms, about $3k a month, PII, EU regions only."
SERVER, CLIENT, CONSUMER = 2, 3, 5


@pytest.fixture
def otlp_receiver():
    receiver, server = start_receiver()
    yield receiver
    server.stop(grace=None)


@pytest.fixture
def fake_model():
    url, server = start_chat_model()
    yield url
    server.shutdown()


def _wait(predicate, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def _families(text):
    return {family.name: family for family in text_string_to_metric_families(text)}


def _labels(family):
    return [sample.labels for sample in family.samples]


def test_one_run_is_one_trace_from_the_request_to_the_model_call(mlops_serve, otlp_receiver, fake_model, tmp_path):
    base = mlops_serve(
        OTEL_EXPORTER_OTLP_ENDPOINT=otlp_receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY="200",
        MLOPS_LLM_PROVIDER="openai", MLOPS_LLM_BASE_URL=fake_model, MLOPS_LLM_MODEL="fake-model",
        MLOPS_LLM_API_KEY="test-key", MLOPS_LLM_MAX_ATTEMPTS="1", MLOPS_VALIDATORS="secret-scan",
        MLOPS_TRACE_URL="http://traces.example/trace/{trace_id}")
    auth = mlops_serve.headers
    project = httpx.post(f"{base}/v1/projects", json={"name": "traced", "allow_incomplete_bundles": True},
                         headers=auth).json()["id"]
    created = httpx.post(f"{base}/v1/projects/{project}/decision-sets", json={"brief": BRIEF},
                         headers={**auth, "X-Request-Id": "obs-request-1"})
    assert created.status_code == 202
    assert created.headers["x-request-id"] == "obs-request-1"
    decision = created.json()["id"]
    _wait(lambda: httpx.get(f"{base}/v1/decision-sets/{decision}", headers=auth).json()["status"]
          == "waiting_for_approval", "the gate")

    # The request's server span is the root of the run's trace.
    def request_span():
        return next((s for s in otlp_receiver.spans if s["kind"] == SERVER and s["parent"] == ""
                     and s["attributes"].get("http.request.method") == "POST"
                     and "decision-sets" in s["attributes"].get("url.path", "")), None)
    root = _wait(request_span, "the POST's span")
    trace_id = root["trace_id"]

    def whole_trace():
        spans = otlp_receiver.of_trace(trace_id)
        names = {s["name"] for s in spans}
        wanted = ["job graph.run", "step gate_hitl", "model.call"] + [
            f"mlops.v1.{service}/{method}" for service, method in
            [("Planner", "Extract"), ("Critics", "ReviewTechnical"), ("Policy", "Evaluate")]]
        return spans if all(any(n.startswith(w) for n in names) for w in wanted) else None
    spans = _wait(whole_trace, "the run's spans under the request's trace")
    by_id = {s["span_id"]: s for s in spans}

    job = next(s for s in spans if s["name"] == "job graph.run")
    assert job["kind"] == CONSUMER and job["parent"] == root["span_id"]
    assert job["attributes"]["mlops.decision_set.id"] == decision
    steps = [s for s in spans if s["name"].startswith("step ")]
    assert {s["attributes"]["mlops.node"] for s in steps} >= {
        "intake_extract", "coverage_check", "planner", "critic_tech", "critic_cost", "policy_eval", "gate_hitl"}
    assert all(s["parent"] == job["span_id"] and s["attributes"]["mlops.decision_set.id"] == decision for s in steps)

    # Each gRPC call: a client span under its step, the service's server span under that.
    servers = [s for s in spans if s["kind"] == SERVER and s["name"].startswith("mlops.v1.")]
    assert {s["name"].split("/")[0] for s in servers} >= {"mlops.v1.Planner", "mlops.v1.Critics", "mlops.v1.Policy"}
    for server in servers:
        client = by_id[server["parent"]]
        assert client["kind"] == CLIENT and client["name"] == server["name"]
        assert by_id[client["parent"]]["name"].startswith("step ")
        assert server["attributes"]["rpc.grpc.status_code"] == 0

    # The model call sits under the planner's server span, with what it cost.
    calls = [s for s in spans if s["name"] == "model.call"]
    for call in calls:
        assert call["kind"] == CLIENT
        parent = by_id[call["parent"]]
        assert parent["kind"] == SERVER and parent["name"].startswith("mlops.v1.Planner/")
        assert call["attributes"]["gen_ai.system"] == "openai"
        assert call["attributes"]["gen_ai.request.model"] == "fake-model"
        assert call["attributes"]["gen_ai.usage.input_tokens"] == 42
        assert call["attributes"]["gen_ai.usage.output_tokens"] == 7
        assert call["attributes"]["mlops.breaker.state"] == "closed"
        assert call["attributes"]["mlops.latency_ms"] >= 0

    # From the first Reason Card to its cause: the step, the provider call and this trace.
    card = httpx.get(f"{base}/v1/decision-sets/{decision}/cards/0", headers=auth)
    assert card.status_code == 200, card.text
    card = card.json()
    assert card["trace_id"] == trace_id and card["agent_run"]["trace_id"] == trace_id
    assert card["agent_run"]["node"] == "intake_extract"
    call = card["agent_run"]["provider_call"]
    # The model's replies were refused, so the rules answered; the card says so and counts
    # the tokens the refused replies spent.
    assert call["provider"] == "deterministic" and call["fallback_reason"].startswith("openai failed")
    assert call["input_tokens"] >= 42 and call["output_tokens"] >= 7
    assert {"rel": "trace", "href": f"http://traces.example/trace/{trace_id}"} in card["card"]["links"]
    assert httpx.get(f"{base}/v1/decision-sets/{decision}/cards/999", headers=auth).status_code == 404
    assert httpx.get(f"{base}/v1/decision-sets/{decision}/cards/-1", headers=auth).status_code == 404

    # Log lines written in a worker step and in the model call carry the trace and the work's ids.
    lines = [json.loads(line) for line in (tmp_path / "serve.log").read_text().splitlines() if line.startswith("{")]
    committed = [line for line in lines if line["msg"] == "step committed" and line.get("trace_id") == trace_id]
    assert committed, "no step log line carries the run's trace id"
    assert all(line["decision_set_id"] == decision and line["version"] == "1" and line["node"] for line in committed)
    assert {line["span_id"] for line in committed} <= {s["span_id"] for s in steps}
    model_lines = [line for line in lines if line["msg"] == "model call" and line.get("trace_id") == trace_id]
    assert model_lines and all(
        line["provider"] == "openai" and line["model"] == "fake-model" and line["input_tokens"] == "42"
        and int(line["latency_ms"]) >= 0 and line["decision_set_id"] == decision and line["node"] == "intake_extract"
        for line in model_lines[:1])

    # The approval's trace carries the rest of the run: Codegen, the artifact write, the git commit.
    approved = httpx.post(f"{base}/v1/decision-sets/{decision}/approve", json={"status": "approved"}, headers=auth)
    assert approved.status_code == 202
    _wait(lambda: httpx.get(f"{base}/v1/decision-sets/{decision}", headers=auth).json()["status"] == "completed",
          "the run's end")
    approval = _wait(lambda: next((s for s in otlp_receiver.spans if s["kind"] == SERVER and s["parent"] == ""
                                   and s["attributes"].get("url.path", "").endswith("/approve")), None),
                     "the approval's span")

    def rest_of_run():
        spans = otlp_receiver.of_trace(approval["trace_id"])
        names = {s["name"] for s in spans}
        return spans if {"artifact.put", "git.commit", "step diff_and_persist"} <= names and any(
            n.startswith("mlops.v1.Codegen/") for n in names) else None
    later = {s["span_id"]: s for s in _wait(rest_of_run, "the approval's spans")}
    commit = next(s for s in later.values() if s["name"] == "git.commit")
    assert later[commit["parent"]]["name"] == "step diff_and_persist"
    writes = [s for s in later.values() if s["name"] == "artifact.put"]
    assert "step diff_and_persist" in {later[s["parent"]]["name"] for s in writes}
    assert all(s["attributes"]["mlops.artifact.bytes"] > 0 and s["attributes"]["mlops.artifact.store"] == "local"
               for s in writes)

    # Edge's /metrics, parsed by prometheus_client, with the families and labels dashboards use.
    families = _families(httpx.get(f"{base}/metrics").text)
    routes = {labels.get("http_route") for labels in _labels(families["hb_requests"])}
    assert "/v1/projects/{id}/decision-sets" in routes or "/v1/projects/:id/decision-sets" in routes, routes
    assert families["http_server_request_duration"].type == "histogram"
    steps_seen = {labels["node"] for labels in _labels(families["mlops_step_duration_seconds"])}
    assert {"planner", "policy_eval"} <= steps_seen
    grpc_client = _labels(families["grpc_client_handled"])
    assert {"grpc_service": "mlops.v1.Planner", "grpc_method": "ExtractConstraints", "grpc_code": "ok"} in grpc_client
    assert {"grpc_service": "mlops.v1.Planner", "grpc_method": "ExtractConstraints", "grpc_code": "ok"} in _labels(
        families["grpc_server_handled"])
    tokens = {(labels["provider"], labels["model"], labels["direction"]): sample.value
              for sample in families["mlops_model_tokens"].samples for labels in [sample.labels]}
    assert tokens[("openai", "fake-model", "input")] >= 42
    for name in ["mlops_queue_claim_seconds", "mlops_queue_ready_jobs", "mlops_queue_oldest_ready_seconds",
                 "mlops_worker_jobs", "mlops_model_call_seconds", "mlops_sse_open_streams"]:
        assert name in families, name

    # Every metric the dashboards and alert rules name is one a process exports.
    assert families["mlops_bundle_bytes"].type == "histogram"
    assert families["mlops_plan_round_trip_seconds"].type == "histogram"
    exported = set(families) | {"grpc_server_handling_seconds", "mlops_validator_duration_seconds",
                                "mlops_budget_exhausted", "mlops_budget_warnings"}
    referenced = set()
    for path in (ROOT / "deploy" / "observability").rglob("*"):
        if path.is_file():
            referenced |= set(re.findall(r"\b((?:mlops|grpc|hb|http_server)_[a-z_]+)", path.read_text()))
    referenced -= {name for family in families.values() for labels in _labels(family) for name in labels}
    suffixes = ("_bucket", "_count", "_sum", "_total")
    named = {next((n[: -len(s)] for s in suffixes if n.endswith(s) and n[: -len(s)] in exported), n) for n in referenced}
    assert referenced and named <= exported, sorted(named - exported)


@pytest.mark.parametrize("service", ["planner", "critics", "policy", "codegen"])
def test_each_service_serves_its_own_metrics(tmp_path, service):
    import os
    import subprocess

    from conftest import mlops_binary, mtls_credentials

    grpc_port, metrics_port = free_port(), free_port()
    env = dict(os.environ, MLOPS_DATA_DIR=str(tmp_path / "data"),
               **{f"MLOPS_{service.upper()}_ADDR": f"127.0.0.1:{grpc_port}",
                  "MLOPS_METRICS_ADDR": f"127.0.0.1:{metrics_port}"})
    process = subprocess.Popen([mlops_binary(), service], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, cwd=tmp_path)
    try:
        def answered():
            try:
                return httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=1).status_code == 200
            except httpx.HTTPError:
                return process.poll() is not None and pytest.fail(f"mlops {service} exited")
        _wait(answered, f"{service}'s /metrics")
        channel = grpc.secure_channel(f"127.0.0.1:{grpc_port}", mtls_credentials(tmp_path / "data" / "tls"))
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
        families = _families(httpx.get(f"http://127.0.0.1:{metrics_port}/metrics").text)
        assert {"grpc_service": "grpc.health.v1.Health", "grpc_method": "Check", "grpc_code": "ok"} in _labels(
            families["grpc_server_handled"])
        assert families["grpc_server_handling_seconds"].type == "histogram"
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0


def test_the_cloudwatch_dashboard_and_alarms_are_valid_terraform(tmp_path):
    import os
    import shutil
    import subprocess

    module = tmp_path / "cloudwatch"
    shutil.copytree(ROOT / "deploy" / "observability" / "cloudwatch", module)
    (module / "provider.tf").write_text('provider "aws" {\n  region = "eu-west-1"\n}\n')
    (tmp_path / "empty.tfrc").write_text("")
    env = dict(os.environ, TF_IN_AUTOMATION="1", TF_CLI_CONFIG_FILE=str(tmp_path / "empty.tfrc"))
    mirror = os.environ.get("TF_PLUGIN_DIR") or "/opt/tf-plugins"

    def terraform(*arguments):
        return subprocess.run(["terraform", *arguments, "-no-color"], cwd=module, env=env, capture_output=True,
                              text=True, timeout=300, check=False)
    init = terraform("init", "-input=false", "-backend=false", f"-plugin-dir={mirror}")
    assert init.returncode == 0, init.stderr
    validated = terraform("validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    # The dashboard body is JSON once Terraform's templatefile fills it in.
    body = (module / "dashboard.json").read_text()
    for name, value in [("namespace", "MLOps/Prometheus"), ("region", "eu-west-1"), ("load_balancer", "app/x/1")]:
        body = body.replace("${" + name + "}", value)
    assert len(json.loads(body)["widgets"]) >= 8
