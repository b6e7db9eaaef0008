"""The generated repositories used as their README says: `make train` on the sample data,
then `make serve` (uvicorn, a real server on a port) and plain HTTP against it. Eight plans
that together cover every training task. Each repository's requirements.lock is installed
once into a venv of its own (cached by the lock's sha256 for the session), as `make install`
would; the make targets run with that venv.

Also the decision record each repository carries: the brief, the answers and the review.
"""

import base64
import copy
import hashlib
import json
import math
import os
import random
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import httpx
import pytest

from conftest import free_port

PLANS = {
    "churn-postgres": "classification",
    "support-text": "classification",
    "defects-gpu": "classification",
    "orders-dynamodb": "regression",
    "sensors-kafka-flink": "anomaly_detection",
    "demand-batch": "forecasting",
    "recs-phi": "ranking",
    "leads-serverless": "retrieval",
}
API_KEY = "interop"


def bundle(name: str) -> Path:
    out = os.environ.get("MLOPS_CODEGEN_OUT")
    path = Path(out or "/nonexistent") / name
    if not (path / "Makefile").is_file():
        pytest.fail(f"no generated bundle at {path}: run scripts/test, which writes them (MLOPS_CODEGEN_OUT)")
    return path


@pytest.fixture(scope="session")
def venvs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {}


def venv_for(root: Path, venvs: dict[str, Path], folder: Path) -> Path:
    lock = (root / "requirements.lock").read_bytes()
    key = hashlib.sha256(lock).hexdigest()[:16]
    if key not in venvs:
        venv = folder / f"venv-{key}"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "--no-deps", "-r", str(root / "requirements.lock")],
            check=True,
        )
        subprocess.run([str(venv / "bin" / "pip"), "check"], check=True)
        venvs[key] = venv
    return venvs[key]


def make(root: Path, venv: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    # The venv is made already: `install` only touches its stamp.
    (venv / ".installed").touch()
    return subprocess.run(
        ["make", "-C", str(root), f"VENV={venv}", *arguments], capture_output=True, text=True, timeout=600
    )


def schema(root: Path) -> dict:
    return json.loads((root / "pipelines/training/pipeline/schema.json").read_text())


def requests_for(document: dict) -> tuple[dict, dict]:
    """Two requests far apart in every feature, built from the schema alone."""
    task = document["task"]
    features = document["features"]

    def row(chosen: list[dict], high: bool, item: int = 0) -> dict:
        values = {}
        for index, feature in enumerate(chosen):
            up = (index % 2 == 0) == high
            if feature["type"] == "numeric":
                low, top = feature.get("minimum", 0), feature.get("maximum", 100)
                values[feature["name"]] = low + (top - low) * (0.9 if up else 0.1)
            elif feature["type"] == "categorical":
                options = feature["values"]
                values[feature["name"]] = options[item % len(options)] if high else options[-1 - item % len(options)]
            elif feature["type"] == "identifier":
                values[feature["name"]] = f"item-{item + (0 if high else 40):03d}"
            elif feature["type"] == "text":
                words = feature.get("values") or ["refund", "parcel"]
                word = words[0] if high else words[-1]
                values[feature["name"]] = f"please {word} my {word} today"
            elif feature["type"] == "image":
                values[feature["name"]] = picture(defect=high)
        return values

    if task == "forecasting":
        def history(level: float) -> list[float]:
            return [level + level * 0.2 * math.sin(day * 2 * math.pi / 7) for day in range(28)]

        return (
            {"history": history(180.0), "last_date": "2026-06-30", "horizon": 3},
            {"history": history(40.0), "last_date": "2026-06-30", "horizon": 3},
        )
    if task == "ranking":
        user = [f for f in features if f.get("role") == "user"]
        item = [f for f in features if f.get("role") == "item"]

        def request(high: bool) -> dict:
            return {"user": row(user, high), "candidates": [row(item, high if n % 2 == 0 else not high, n + 1) for n in range(3)]}

        return request(True), request(False)
    if task == "retrieval":
        return {"text": "how do i get a refund for a charge on my invoice"}, {"text": "my parcel tracking says the courier lost the delivery"}
    flat = all(f["type"] in ("text", "image") for f in features)
    first, second = row(features, True), row(features, False)
    return (first, second) if flat else ({"features": first}, {"features": second})


def picture(defect: bool) -> str:
    """A noisy grey 32x32 PNG, brighter in a patch where a defect is (PNG written by hand:
    this test's own venv has no imaging library)."""
    noise = random.Random(3)
    rows = []
    for y in range(32):
        row = bytearray([0])  # filter type: none
        for x in range(32):
            value = noise.gauss(90.0, 25.0) + (40.0 if defect and 10 <= y < 18 and 12 <= x < 20 else 0.0)
            row.append(max(0, min(255, int(value))))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 32, 32, 8, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode()


def first_number_path(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            found = first_number_path(item, (*path, key))
            if found is not None:
                return found
    elif isinstance(value, list) and value:
        return first_number_path(value[0], (*path, 0))
    elif isinstance(value, float):
        return path
    return None


def replaced(request: dict, path: tuple, value) -> dict:
    changed = copy.deepcopy(request)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


@pytest.mark.parametrize("name", sorted(PLANS))
def test_make_train_then_make_serve_answers_real_predictions(name: str, venvs, tmp_path_factory):
    root = bundle(name)
    document = schema(root)
    assert document["task"] == PLANS[name]
    venv = venv_for(root, venvs, tmp_path_factory.getbasetemp())
    model = tmp_path_factory.mktemp(name) / "model"

    # As the README says: sample data (data/sample.csv in the repository), then a model.
    trained = make(root, venv, "train", f"MODEL_URI={model}")
    assert trained.returncode == 0, trained.stdout + trained.stderr
    version = (model / "LATEST").read_text().strip()
    metrics = json.loads((model / version / "metrics.json").read_text())
    assert metrics["beats_baseline"] is True
    print(f"{name}: {metrics['metric']} {metrics['value']:.4f} against {metrics['baseline']} {metrics['baseline_value']:.4f}")

    port = free_port()
    digest = hashlib.sha256(API_KEY.encode()).hexdigest()
    server = subprocess.Popen(
        ["make", "-C", str(root), f"VENV={venv}", "serve", f"MODEL_URI={model}", f"PORT={port}", f"API_KEY_SHA256={digest}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                ready = httpx.get(base + "/readyz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.3)
        assert ready.status_code == 200, ready.text
        assert ready.json()["model_version"] == version
        headers = {"X-API-Key": API_KEY}
        first, second = requests_for(document)
        one = httpx.post(base + "/predict", json=first, headers=headers, timeout=30)
        two = httpx.post(base + "/predict", json=second, headers=headers, timeout=30)
        assert one.status_code == two.status_code == 200, one.text + two.text
        assert one.json()["prediction"] != two.json()["prediction"]

        assert httpx.post(base + "/predict", json={**first, "unknown": 1}, headers=headers).status_code == 422
        path = first_number_path(first)
        if path is not None:
            body = json.dumps(replaced(first, path, 0.125)).replace("0.125", "NaN")
            response = httpx.post(base + "/predict", content=body, headers={**headers, "content-type": "application/json"})
            assert response.status_code == 422
        huge = json.dumps({"pad": "x" * (16 << 20)})
        response = httpx.post(base + "/predict", content=huge, headers={**headers, "content-type": "application/json"})
        assert response.status_code == 413
        if document["task"] == "ranking":  # recs-phi: PHI, so keys are required
            assert httpx.post(base + "/predict", json=first).status_code == 401
        assert "inference_requests_total" in httpx.get(base + "/metrics").text
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)


@pytest.mark.parametrize("name", ["churn-postgres", "recs-phi"])
def test_the_decision_record_holds_the_brief_the_answers_and_the_review(name: str):
    record = (bundle(name) / "docs" / "decision-record.md").read_text()
    assert "## The brief" in record and "> " in record
    assert "## Questions and answers" in record
    assert "- Decision: approved" in record
    assert "Looks good; keep logs for a year." in record
    for adr in (bundle(name) / "docs" / "adr").glob("0*.md"):
        text = adr.read_text()
        for line in text.splitlines():
            assert not line.rstrip().endswith(":"), f"{adr.name}: a blank field: {line!r}"
        assert "default" not in text.split("\n", 1)[0]
