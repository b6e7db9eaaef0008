"""The artifact store and the secret scan against independent peers: moto's S3 server
(through boto3) and Yelp's detect-secrets; a task role's keys from a container credentials
endpoint."""

import http.server
import json
import os
import subprocess
import threading
from pathlib import Path

from conftest import ROOT, mlops_binary

# Fake credentials, assembled at run time so this file holds none.
SEEDED = {
    "app/settings.py": ["import os", 'AWS_KEY = "' + "AKIA" + 'QYLPMN5HFIQR7XYZ"'],
    "deploy/key.pem": ["-----BEGIN " + "RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA", "-----END RSA PRIVATE KEY-----"],
    "ci.yml": ["on: push", "token: gh" + "p_" + "aB3dE5fG7h" * 4],
    "config.py": ["DEBUG = False", 'api_key = "' + 'q8Zr2LmX9vT4kP1wY7bN"'],
    "notify.py": ['SLACK = "xo' + "xb-" + '2048-1024-AbCdEfGhIj"'],
    "clean.py": ['password = os.environ["DB_PASSWORD"]', 'name = "hello world"'],
}


def seed(folder: Path) -> None:
    for name, lines in SEEDED.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")


def test_secret_scan_flags_the_lines_detect_secrets_flags(tmp_path):
    seed(tmp_path)
    ours = subprocess.run(
        [mlops_binary(), "validate", str(tmp_path), "--only", "secret-scan"],
        capture_output=True, text=True, timeout=60,
    )
    assert ours.returncode == 1, ours.stderr
    report = json.loads(ours.stdout)
    assert report.get("passed", False) is False
    [scan] = report["results"]
    found = {(f["path"], f["line"]) for f in scan["findings"]}

    theirs = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "detect-secrets"), "scan", "--all-files", "."],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert theirs.returncode == 0, theirs.stderr
    results = json.loads(theirs.stdout)["results"]
    flagged = {(name, hit["line_number"]) for name, hits in results.items() for hit in hits}

    assert found == flagged
    assert all(path != "clean.py" for path, _ in found)


def test_storage_init_creates_the_bucket_and_its_expiry_rule(moto_server, tmp_path):
    url, s3 = moto_server
    environment = dict(
        os.environ, MLOPS_ARTIFACT_STORE="s3", MLOPS_S3_BUCKET="bundles", MLOPS_S3_REGION="eu-west-1",
        MLOPS_S3_ENDPOINT=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
        MLOPS_BUNDLE_RETENTION_DAYS="45", MLOPS_DATA_DIR=str(tmp_path),
    )
    for _ in range(2):  # a second init changes nothing
        done = subprocess.run([mlops_binary(), "storage", "init"], env=environment,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "expire 45 days" in done.stdout
    assert "bundles" in [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
    [rule] = s3.get_bucket_lifecycle_configuration(Bucket="bundles")["Rules"]
    assert rule["Expiration"]["Days"] == 45
    assert rule["Status"] == "Enabled"


class _CredentialsEndpoint(http.server.BaseHTTPRequestHandler):
    """A container credentials endpoint as ECS runs one: keys for whoever shows the token."""
    seen: list = []

    def do_GET(self):  # noqa: N802 (the base class's name)
        _CredentialsEndpoint.seen.append((self.path, self.headers.get("Authorization")))
        if self.headers.get("Authorization") != "task-token":
            self.send_response(403)
            self.end_headers()
            return
        body = json.dumps({"AccessKeyId": "ASIATASKROLE", "SecretAccessKey": "task-secret", "Token": "session-token",
                           "Expiration": "2099-01-01T00:00:00Z"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *arguments):
        pass


def test_the_s3_store_takes_a_task_roles_keys_from_the_container_endpoint(moto_server, tmp_path):
    url, s3 = moto_server
    endpoint = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CredentialsEndpoint)
    threading.Thread(target=endpoint.serve_forever, daemon=True).start()
    (tmp_path / "token").write_text("task-token\n")
    base = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    environment = dict(
        base, MLOPS_ARTIFACT_STORE="s3", MLOPS_S3_BUCKET="task-role-bundles", MLOPS_S3_REGION="eu-west-1",
        MLOPS_S3_ENDPOINT=url, MLOPS_DATA_DIR=str(tmp_path),
        AWS_CONTAINER_CREDENTIALS_FULL_URI=f"http://127.0.0.1:{endpoint.server_port}/v2/credentials/task",
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=str(tmp_path / "token"),
    )
    try:
        done = subprocess.run([mlops_binary(), "storage", "init"], env=environment, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        assert "task-role-bundles" in [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
        assert ("/v2/credentials/task", "task-token") in _CredentialsEndpoint.seen

        # Credentials never travel in the clear to another host.
        elsewhere = dict(environment, AWS_CONTAINER_CREDENTIALS_FULL_URI="http://10.1.2.3/v2/credentials/task")
        refused = subprocess.run([mlops_binary(), "storage", "init"], env=elsewhere, capture_output=True, text=True,
                                 timeout=60)
        assert refused.returncode != 0
        assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" in refused.stderr
    finally:
        endpoint.shutdown()


def test_a_corrupt_bundle_is_refused_on_download_and_named_by_storage_verify(mlops_serve):
    import time

    import httpx

    base = mlops_serve(MLOPS_VALIDATORS="secret-scan")
    headers = mlops_serve.headers
    project = httpx.post(f"{base}/v1/projects", json={"name": "integrity", "allow_incomplete_bundles": True},
                         headers=headers).json()["id"]
    brief = "Fraud scoring at checkout, p95 under 80 ms, about $3k a month, PII, EU regions only."
    decision = httpx.post(f"{base}/v1/projects/{project}/decision-sets", json={"brief": brief}, headers=headers).json()["id"]

    def wait_for(status):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            now = httpx.get(f"{base}/v1/decision-sets/{decision}", headers=headers).json()["status"]
            if now == status:
                return
            assert now in ("running", "waiting_for_approval"), now
            time.sleep(0.2)
        raise AssertionError(f"never reached {status}")

    wait_for("waiting_for_approval")
    assert httpx.post(f"{base}/v1/decision-sets/{decision}/approve", json={"status": "approved"},
                      headers=headers).status_code == 202
    wait_for("completed")
    [artifact] = httpx.get(f"{base}/v1/decision-sets/{decision}/artifacts", headers=headers).json()["artifacts"]
    environment = dict(os.environ, MLOPS_DATA_DIR=mlops_serve.data_dir)
    environment.pop("DATABASE_URL", None)

    intact = httpx.get(artifact["download_url"])
    assert intact.status_code == 200 and intact.content[:2] == b"PK"
    verified = subprocess.run([mlops_binary(), "storage", "verify"], env=environment, capture_output=True, text=True,
                              timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "1 intact, 0 missing, 0 corrupt" in verified.stdout

    # One flipped byte on disk, as a failing disk or a careless hand would leave it.
    stored = Path(mlops_serve.data_dir) / "artifacts" / artifact["key"]
    damaged = bytearray(stored.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    stored.write_bytes(bytes(damaged))

    refused = httpx.get(artifact["download_url"])
    assert refused.status_code == 500
    assert refused.json()["code"] == "artifact_corrupt"
    assert b"PK" not in refused.content[:2]
    flagged = subprocess.run([mlops_binary(), "storage", "verify"], env=environment, capture_output=True, text=True,
                             timeout=120)
    assert flagged.returncode == 1
    assert f"corrupt  {artifact['key']}" in flagged.stdout
    assert "0 intact, 0 missing, 1 corrupt" in flagged.stdout
