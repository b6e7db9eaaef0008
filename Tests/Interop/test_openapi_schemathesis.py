"""schemathesis, a fuzzer we did not write, checks `mlops serve` against its own OpenAPI document.

It generates requests from `/openapi.yaml` (valid and invalid ones, and chains that follow the
document's links: create a project, submit a brief, read, answer, approve, stream) and fails
on any 5xx, any status the document does not list, and any body, header or SSE event that
breaks its schema.
"""

import os
import pathlib
import subprocess

import httpx
import yaml

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)


def schemathesis_binary() -> str:
    return str(pathlib.Path(os.sys.executable).parent / "schemathesis")


def test_the_served_document_is_openapi_3_1_and_names_every_route(mlops_serve):
    base = mlops_serve()
    response = httpx.get(f"{base}/openapi.yaml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/yaml")
    document = yaml.safe_load(response.text)
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) >= {
        "/healthz",
        "/readyz",
        "/version",
        "/openapi.yaml",
        "/v1/projects",
        "/v1/projects/{project_id}",
        "/v1/projects/{project_id}/decision-sets",
        "/v1/decision-sets/{decision_set_id}",
        "/v1/decision-sets/{decision_set_id}/events",
        "/v1/decision-sets/{decision_set_id}/answers",
        "/v1/decision-sets/{decision_set_id}/approve",
        "/streams/{decision_set_id}",
        "/v1/decision-sets/{decision_set_id}/stream",
    }


def test_the_running_edge_keeps_to_its_openapi_document(mlops_serve, tmp_path):
    # Short streams: a fuzzed request that opens a live stream must not hold the run for 100 s.
    base = mlops_serve(MLOPS_SSE_MAX_SECONDS="2", MLOPS_SSE_PING_SECONDS="1")
    seed = os.environ.get("SCHEMATHESIS_SEED", "20261127")
    result = subprocess.run(
        [
            schemathesis_binary(),
            "run",
            f"{base}/openapi.yaml",
            "--checks",
            CHECKS,
            "--max-examples",
            os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "30"),
            "--seed",
            seed,
            "--request-timeout",
            "10",
            "--no-color",
            # A member's token: fuzzing reaches past the authentication check (the test of
            # every route without one, and as a stranger, is AccessControlTests).
            "--header",
            f"Authorization: Bearer {mlops_serve.token()}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,  # schemathesis keeps a cache in its working directory
    )
    assert result.returncode == 0, f"schemathesis (seed {seed}) found failures:\n{result.stdout}\n{result.stderr}"
    assert "passed" in result.stdout
