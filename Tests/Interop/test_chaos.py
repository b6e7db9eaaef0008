"""The short version of `mlops bench chaos`, run apart from the Swift tests so the processes
it starts and kills share the machine with nothing else: `mlops serve` (with its embedded
PostgreSQL) killed, process group and postmaster, at a random moment inside the steps that
write files, then restarted. Nothing may be lost, done twice, corrupt or left behind.

The `postgres` scenario (a restart mid-run) is left to the bench: it still loses a run now
and then (a step that waits for ever on the database), which issue 22's note records.
"""

import json
import os
import subprocess

from conftest import mlops_binary


def test_serve_killed_mid_step_loses_doubles_and_corrupts_nothing(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [mlops_binary(), "bench", "chaos", "--iterations", "1",
         "--steps", "codegen,validators,diff_and_persist", "--scenarios", "serve"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    print(result.stdout[-3000:])
    assert result.returncode == 0, result.stderr[-3000:]
    line = json.loads(result.stdout.strip().splitlines()[-1])
    totals = line["totals"]
    assert totals["kills"] == 3, line
    assert totals["completed"] == 3, line
    for figure in ("lost", "doubled", "corrupt", "orphans", "temporary_files_left"):
        assert totals[figure] == 0, (figure, line)
