"""httpx-sse, an SSE client we did not write, follows a decision set's stream from `mlops serve`."""

import json

import httpx
import pytest
from httpx_sse import connect_sse


@pytest.fixture
def serve(mlops_serve):
    base = mlops_serve(MLOPS_SSE_PING_SECONDS="1")
    return base, mlops_serve.headers


# Complete enough that the planner asks nothing and goes straight on to plan.
BRIEF = "Fraud scoring at checkout, p95 under 80 ms, about $3k a month, PII, EU regions only."


def test_stream_replays_then_follows_to_the_end_and_resumes(serve):
    serve, auth = serve
    project = httpx.post(f"{serve}/v1/projects", json={"name": "interop"}, headers=auth).json()["id"]
    created = httpx.post(f"{serve}/v1/projects/{project}/decision-sets", json={"brief": BRIEF}, headers=auth)
    assert created.status_code == 202
    stream_url = serve + created.json()["links"]["stream"]

    # Planner, critics and policy run for real up to the review gate; approving there takes
    # the run to codegen, which has no node until its issue lands, so it ends in a run-error.
    # The stream delivers all of it, across the wait at the gate, and then closes.
    received = []
    with httpx.Client(timeout=60) as client:
        with connect_sse(client, "GET", stream_url, headers=auth) as source:
            assert source.response.headers["content-type"].startswith("text/event-stream")
            for event in source.iter_sse():
                received.append(event)
                if event.event == "gate-waiting" and json.loads(event.data)["waiting_for"] == "approval":
                    decision = created.json()["id"]
                    approved = httpx.post(f"{serve}/v1/decision-sets/{decision}/approve", json={"status": "approved"},
                                          headers=auth)
                    assert approved.status_code == 202
    # The stream opens with a reconnection hint (httpx-sse hands it over as a data-less event).
    assert received[0].retry == 2000
    events = [event for event in received if event.data and event.event != "ping"]
    assert events, "no event arrived"
    kinds = [e.event for e in events]
    assert kinds[:3] == ["reason-card"] * 3, "intake, coverage and planner cards first"
    assert json.loads(events[2].data)["node"] == "planner"
    assert "cost-update" in kinds and "policy-update" in kinds
    assert json.loads(events[kinds.index("cost-update")].data)["method"] == "bom_v1"
    assert kinds[-1] == "run-complete"
    assert json.loads(events[-1].data)["status"] == "completed"
    nodes = [json.loads(e.data)["node"] for e in events if e.event == "reason-card"]
    assert nodes[-4:] == ["codegen", "validators", "rationale_compile", "diff_and_persist"]
    assert "diff-update" in kinds
    ids = [int(event.id) for event in events]
    assert ids == sorted(ids)

    timeline = httpx.get(f"{serve}/v1/decision-sets/{created.json()['id']}/events", headers=auth).json()["items"]
    assert [item["id"] for item in timeline] == ids

    # Resuming after the last event id replays nothing and closes: the run is over.
    with httpx.Client(timeout=30) as client:
        with connect_sse(client, "GET", stream_url, headers={**auth, "Last-Event-ID": str(ids[-1])}) as source:
            assert [event for event in source.iter_sse() if event.data and event.event != "ping"] == []

    # As a browser's EventSource would: no header, a ticket in the URL, `after` for the resume.
    ticket = httpx.post(serve + created.json()["links"]["stream_tickets"], headers=auth)
    assert ticket.status_code == 201, ticket.text
    with httpx.Client(timeout=30) as client:
        with connect_sse(client, "GET", f"{serve}{ticket.json()['stream_url']}&after={ids[-3]}") as source:
            tail = [int(event.id) for event in source.iter_sse() if event.data and event.event != "ping"]
    assert tail == ids[-2:]
    assert httpx.get(stream_url).status_code == 401
