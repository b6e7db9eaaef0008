"""The generated storage, KMS, IAM and network Terraform applied for real, by Terraform and
the AWS provider, against moto's AWS server (an implementation we did not write), for a PHI
plan that has all four. What moto cannot create is left out, by name, with the reason. Then
the whole root module is planned, and every resource the reports name (each cost line's,
each policy result's) is one Terraform plans."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest

# Resources moto's server does not support, so the apply leaves them out.
UNSUPPORTED = {
    "aws_s3_bucket_logging": (
        "moto 5.2 takes only a log-delivery ACL grant as the target's permission, not the bucket policy for "
        "logging.s3.amazonaws.com the log archive uses (its ACLs are off); the provider retries the refusal "
        "(InvalidTargetBucketForLogging) until it times out"
    ),
}
MODULES = ("kms", "network", "iam", "logs")
BUNDLE = "recs-phi"

OVERRIDE = """
provider "aws" {
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true

  endpoints {
    ec2            = "URL"
    iam            = "URL"
    kms            = "URL"
    s3             = "URL"
    sts            = "URL"
    cloudwatchlogs = "URL"
  }
}

terraform {
  backend "local" {}
}
"""


def bundle(name: str) -> Path:
    out = os.environ.get("MLOPS_CODEGEN_OUT")
    path = Path(out or "/nonexistent") / name
    if not (path / "infra" / "terraform" / "main.tf").is_file():
        pytest.fail(f"no generated bundle at {path}: run scripts/test, which writes them (MLOPS_CODEGEN_OUT)")
    return path


def targets(root: Path) -> tuple[list[str], list[str]]:
    """Every resource of the storage, KMS, IAM and network modules, and those left out."""
    main = (root / "main.tf").read_text()
    instances = re.findall(r'module "([a-z0-9_]+)" \{\s*\n\s*source\s*=\s*"\./modules/([a-z0-9_]+)"', main)
    chosen, skipped = [], []
    for instance, directory in instances:
        if instance not in MODULES and directory != "storage":
            continue
        text = (root / "modules" / directory / "main.tf").read_text()
        for kind, name in re.findall(r'(?m)^resource "([a-z0-9_]+)" "([a-z0-9_]+)"', text):
            (skipped if kind in UNSUPPORTED else chosen).append(f"module.{instance}.{kind}.{name}")
    return chosen, skipped


def required_variables(root: Path) -> list[str]:
    blocks = re.findall(r'variable "([a-z0-9_]+)" \{(.*?)\n\}', (root / "variables.tf").read_text(), re.S)
    values = {"certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/moto"}
    # A sensitive-data service refuses to plan without an API key digest (its default is empty).
    given = {"api_key_sha256": "0" * 64}
    return [f"-var={name}={given.get(name, values.get(name, 'moto'))}" for name, body in blocks
            if "default" not in body or name in given]


def terraform(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TF_IN_AUTOMATION="1", TF_CLI_CONFIG_FILE=str(root / "empty.tfrc"))
    return subprocess.run(
        ["terraform", *arguments, "-no-color"], cwd=root, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_storage_kms_iam_and_network_apply_against_moto(moto_server, tmp_path):
    url, s3 = moto_server
    work = tmp_path / BUNDLE
    shutil.copytree(bundle(BUNDLE), work)
    root = work / "infra" / "terraform"
    (root / "empty.tfrc").write_text("")
    # The bundle's own build step: the transform package the Terraform deploys (as CI runs it).
    packaged = subprocess.run(
        ["python3", "pipelines/transform/package.py"], cwd=work, capture_output=True, text=True, check=False
    )
    assert packaged.returncode == 0, packaged.stderr

    (root / "moto_override.tf").write_text(OVERRIDE.replace("URL", url))
    mirror = os.environ.get("TF_PLUGIN_DIR") or "/opt/tf-plugins"
    if not Path(mirror).is_dir():
        pytest.fail(f"no Terraform provider mirror at {mirror}: set TF_PLUGIN_DIR (scripts/test finds it)")
    init = terraform(root, "init", "-input=false", f"-plugin-dir={mirror}")
    assert init.returncode == 0, init.stderr
    chosen, skipped = targets(root)
    assert len(chosen) > 40 and skipped, (chosen, skipped)
    print("not applied, moto does not support them:", *(f"{a}: {UNSUPPORTED[a.split('.')[2]]}" for a in skipped), sep="\n  ")
    applied = terraform(
        root, "apply", "-auto-approve", "-input=false", "-parallelism=4", *required_variables(root),
        *(f"-target={address}" for address in chosen),
    )
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr[-3000:]
    state = terraform(root, "state", "list")
    created = {re.sub(r"\[.*\]$", "", line) for line in state.stdout.split()}
    assert set(chosen) <= created, sorted(set(chosen) - created)

    # What AWS (moto) now holds is what the Terraform says.
    session = {"endpoint_url": url, "region_name": "us-east-1", "aws_access_key_id": "testing",
               "aws_secret_access_key": "testing"}
    kms = boto3.client("kms", **session)
    [key] = kms.list_keys()["Keys"]
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"]
    assert "CloudWatchLogsForThisSystem" in kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
    buckets = [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
    data_buckets = [name for name in buckets if "-logs-" not in name]
    assert len(data_buckets) >= 2, buckets
    for name in data_buckets:
        assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
        [rule] = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
        block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
        assert all(block.values()), block
        [lifecycle] = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
        assert lifecycle["Expiration"]["Days"] == 365
    ec2 = boto3.client("ec2", **session)
    [vpc] = [v for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
    assert len(subnets) == 2 and not any(s["MapPublicIpOnLaunch"] for s in subnets)
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["VpcEndpoints"]
    assert {e["ServiceName"].rsplit(".", 1)[-1] for e in endpoints} >= {"s3", "sts", "logs"}
    assert not ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc["VpcId"]]}])[
        "InternetGateways"
    ]
    iam = boto3.client("iam", **session)
    roles = {role["RoleName"] for role in iam.list_roles()["Roles"]}
    assert any(name.endswith("-workload") for name in roles), roles

    # The whole system, planned by Terraform itself: the reports name only what it plans.
    planned = terraform(root, "plan", "-input=false", "-out=full.plan", *required_variables(root))
    assert planned.returncode == 0, planned.stdout[-3000:] + planned.stderr[-3000:]
    shown = terraform(root, "show", "-json", "full.plan")
    assert shown.returncode == 0, shown.stderr
    addresses = {
        (f"{change['module_address']}." if change.get("module_address") else "") + f"{change['type']}.{change['name']}"
        for change in json.loads(shown.stdout)["resource_changes"]
    }
    cost = json.loads((work / "reports" / "cost.json").read_text())
    named = {address for line in cost["breakdown"] for address in line.get("resources", [])}
    policy = json.loads((work / "reports" / "policy.json").read_text())
    evidence = {address for result in policy["results"] for address in result["resources"]}
    assert evidence, "the PHI plan's data-protection results name their resources"
    assert named <= addresses, sorted(named - addresses)
    assert evidence <= addresses, sorted(evidence - addresses)
