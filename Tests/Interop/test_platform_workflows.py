"""The platform's own GitHub workflows, judged by linters we did not write: actionlint (syntax,
expressions, shell) and zizmor (security: permissions, credentials, pinning, injection)."""

import subprocess

from conftest import ROOT


def _tool(name: str) -> str:
    return str(ROOT / ".venv" / "bin" / name)


def test_the_platforms_workflows_are_actionlint_and_zizmor_clean():
    workflows = sorted(str(path) for path in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows, "no workflows under .github/workflows"
    linted = subprocess.run([_tool("actionlint"), *workflows], capture_output=True, text=True, timeout=120)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    audited = subprocess.run([_tool("zizmor"), "--offline", "--format", "plain", *workflows],
                             capture_output=True, text=True, timeout=120)
    assert audited.returncode == 0, audited.stdout + audited.stderr
    assert "No findings to report" in audited.stdout + audited.stderr
