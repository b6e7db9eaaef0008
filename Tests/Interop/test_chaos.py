"""The short version of `mlops bench chaos`, run apart from the Swift tests so the processes
it starts and kills share the machine with nothing else, one fault at a random moment inside
a step: `mlops serve` (with its embedded PostgreSQL) killed, process group and postmaster,
then restarted; PostgreSQL restarted under it (`pg_ctl restart -m immediate`). Nothing may be
lost, done twice, corrupt or left behind.
"""

import json
import os
import shutil
import subprocess
import tempfile

from conftest import mlops_binary


def test_any_process_killed_mid_step_loses_doubles_and_corrupts_nothing():
    # The embedded PostgreSQL runs as the postgres user when this runs as root: its folder must
    # be one every user can traverse, which pytest's tmp_path (under a 0700 folder) is not.
    scratch = tempfile.mkdtemp(prefix="mlops-chaos-test-")
    os.chmod(scratch, 0o755)
    env = {**os.environ, "TMPDIR": scratch}
    env.pop("DATABASE_URL", None)
    try:
        result = subprocess.run(
            [mlops_binary(), "bench", "chaos", "--iterations", "1",
             "--steps", "codegen,validators,diff_and_persist", "--scenarios", "serve,postgres"],
            env=env, cwd=scratch, capture_output=True, text=True, timeout=900, check=False)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(result.stdout[-3000:])
    assert result.returncode == 0, result.stderr[-3000:]
    line = json.loads(result.stdout.strip().splitlines()[-1])
    totals = line["totals"]
    # serve and postgres: three steps each. The worker and service scenarios (production
    # topology) run in `mlops bench chaos` only: under the full suite their processes once
    # failed to come up before any fault (issue 22's note).
    assert totals["iterations"] == 6, line
    assert totals["completed"] == 6, line
    assert totals["kills"] == 6, line
    for figure in ("lost", "doubled", "corrupt", "orphans", "temporary_files_left"):
        assert totals[figure] == 0, (figure, line)
