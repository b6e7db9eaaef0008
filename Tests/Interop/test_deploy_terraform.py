"""The deployment's Terraform (deploy/terraform for ECS, deploy/apprunner for App Runner),
judged offline by the tools an operator would run: fmt, init against the machine's provider
mirror, validate, `terraform test` against a mock AWS provider with each environment's tfvars,
and checkov with no failed check. Every check the code skips must be listed, with its reason,
in deploy/README.md."""

import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT

DEPLOY = ROOT / "deploy"
VARIANTS = {
    "terraform": {"staging": "tests/staging.tftest.hcl", "production": "tests/production.tftest.hcl"},
    "apprunner": {"staging": "tests/staging.tftest.hcl", "production": "tests/staging.tftest.hcl"},
}


def _terraform(cwd, *arguments, env):
    return subprocess.run(["terraform", *arguments, "-no-color"], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600, check=False)


@pytest.fixture(scope="module")
def deploy_copy(tmp_path_factory):
    """deploy/ copied away from the work tree, so init leaves nothing behind in it."""
    target = tmp_path_factory.mktemp("deploy") / "deploy"
    shutil.copytree(DEPLOY, target, ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl"))
    (target.parent / "empty.tfrc").write_text("")
    env = dict(os.environ, TF_IN_AUTOMATION="1", TF_CLI_CONFIG_FILE=str(target.parent / "empty.tfrc"))
    return target, env


def test_the_deployment_is_terraform_fmt_clean():
    checked = subprocess.run(["terraform", "fmt", "-check", "-recursive", "-diff", "-no-color", str(DEPLOY)],
                             capture_output=True, text=True, timeout=120, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_each_variant_inits_validates_and_passes_its_terraform_tests(variant, deploy_copy):
    deploy, env = deploy_copy
    folder = deploy / variant
    mirror = os.environ.get("TF_PLUGIN_DIR") or "/opt/tf-plugins"
    init = _terraform(folder, "init", "-input=false", "-backend=false", f"-plugin-dir={mirror}", env=env)
    assert init.returncode == 0, init.stdout + init.stderr
    validated = _terraform(folder, "validate", env=env)
    assert validated.returncode == 0 and "Warning" not in validated.stdout + validated.stderr, (
        validated.stdout + validated.stderr)
    for environment, test_file in VARIANTS[variant].items():
        tested = _terraform(folder, "test", f"-filter={test_file}", f"-var-file=environments/{environment}.tfvars",
                            env=env)
        assert tested.returncode == 0, f"{variant} {environment}:\n{tested.stdout}{tested.stderr}"
        assert re.search(r"Success! [1-9]\d* passed, 0 failed", tested.stdout), tested.stdout


def test_checkov_finds_no_failed_check_and_every_skip_is_listed_in_the_readme():
    checkov = ROOT / ".venv" / "bin" / "checkov"
    scanned = subprocess.run([str(checkov), "-d", str(DEPLOY), "--framework", "terraform", "-o", "json", "--quiet",
                              "--skip-download"], capture_output=True, text=True, timeout=600, check=False)
    reports = json.loads(scanned.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [f"{check['check_id']} {check['resource']} ({check['file_path']})"
              for report in reports for check in report["results"]["failed_checks"]]
    assert not failed, "\n".join(failed)
    assert sum(report["summary"]["passed"] for report in reports) > 300

    readme = (DEPLOY / "README.md").read_text()
    skips = set()
    for path in DEPLOY.rglob("*.tf"):
        if ".terraform" in path.parts:
            continue
        for check, reason in re.findall(r"#checkov:skip=([A-Z0-9_]+):(.+)", path.read_text()):
            assert reason.strip(), f"{path}: {check} skipped without a reason"
            skips.add((check, path.relative_to(DEPLOY).as_posix()))
    assert skips
    unlisted = [f"{check} in {path}" for check, path in sorted(skips) if not re.search(
        rf"\|\s*`{check}`\s*\|[^\n]*`{re.escape(path)}`", readme)]
    assert not unlisted, "skips missing from deploy/README.md's table:\n" + "\n".join(unlisted)


def test_the_readmes_cost_tables_are_what_the_price_catalog_gives():
    printed = subprocess.run([str(DEPLOY / "scripts" / "monthly-cost")], capture_output=True, text=True, timeout=60,
                             check=True).stdout.strip()
    assert "**total**" in printed
    assert printed in (DEPLOY / "README.md").read_text(), "deploy/README.md's tables differ from deploy/scripts/monthly-cost"
