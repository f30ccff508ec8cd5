"""The layer contract (.importlinter) holds: lower layers never import higher ones."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_layer_contract_is_kept():
    lint = Path(sys.executable).parent / "lint-imports"
    command = [str(lint if lint.exists() else shutil.which("lint-imports")), "--no-cache"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout
