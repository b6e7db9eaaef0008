"""httpx-sse, an SSE client we did not write, follows a decision set's stream from `mlops serve`."""

import json
import os
import shutil
import subprocess
import tempfile
import time

import httpx
import pytest
from httpx_sse import connect_sse

from conftest import free_port, mlops_binary


@pytest.fixture
def serve(tmp_path):
    """`mlops serve` on free ports with its own embedded PostgreSQL; yields the base URL."""
    http = free_port()
    # The embedded PostgreSQL runs as the postgres user, which pytest's private tmp_path shuts out.
    data = tempfile.mkdtemp(prefix="mlops-interop-", dir="/tmp")
    os.chmod(data, 0o755)
    env = dict(os.environ, MLOPS_HTTP_PORT=str(http), MLOPS_DATA_DIR=data, MLOPS_SSE_PING_SECONDS="1")
    env.pop("DATABASE_URL", None)
    for name in ("PLANNER", "CRITICS", "POLICY", "CODEGEN"):
        env[f"MLOPS_{name}_ADDR"] = f"127.0.0.1:{free_port()}"
    log = open(tmp_path / "serve.log", "w")
    process = subprocess.Popen([mlops_binary(), "serve"], env=env, stdout=log, stderr=log, cwd=tmp_path)
    base = f"http://127.0.0.1:{http}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"mlops serve exited early: {(tmp_path / 'serve.log').read_text()}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    else:
        pytest.fail("mlops serve never became ready")
    yield base
    process.terminate()
    assert process.wait(timeout=30) == 0
    shutil.rmtree(data, ignore_errors=True)


def test_stream_replays_then_follows_to_the_end_and_resumes(serve):
    project = httpx.post(f"{serve}/v1/projects", json={"name": "interop"}).json()["id"]
    created = httpx.post(f"{serve}/v1/projects/{project}/decision-sets", json={"brief": "fraud scoring"})
    assert created.status_code == 202
    stream_url = serve + created.json()["links"]["stream"]

    # The Planner answers UNIMPLEMENTED until its issue lands, so this run ends in a
    # run-error; the stream must deliver it and then close.
    with httpx.Client(timeout=30) as client:
        with connect_sse(client, "GET", stream_url) as source:
            assert source.response.headers["content-type"].startswith("text/event-stream")
            received = list(source.iter_sse())
    # The stream opens with a reconnection hint (httpx-sse hands it over as a data-less event).
    assert received[0].retry == 2000
    events = [event for event in received if event.data and event.event != "ping"]
    assert events, "no event arrived"
    assert events[-1].event == "run-error"
    assert "not implemented yet" in json.loads(events[-1].data)["error"]
    ids = [int(event.id) for event in events]
    assert ids == sorted(ids)

    timeline = httpx.get(f"{serve}/v1/decision-sets/{created.json()['id']}/events").json()["items"]
    assert [item["id"] for item in timeline] == ids

    # Resuming after the last event id replays nothing and closes: the run is over.
    with httpx.Client(timeout=30) as client:
        with connect_sse(client, "GET", stream_url, headers={"Last-Event-ID": str(ids[-1])}) as source:
            assert [event for event in source.iter_sse() if event.data and event.event != "ping"] == []
