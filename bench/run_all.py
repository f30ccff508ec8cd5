"""Run every benchmark; each prints one line with its figures and its ratio to a baseline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BENCHES = ["bench_import.py", "bench_publish.py", "bench_list.py", "bench_screens.py", "bench_authz.py", "bench_workflow.py"]
BENCHES.append("bench_reports.py")
BENCHES.append("bench_ingest.py")  # the monitoring plugin (plugins/anjian_monitoring)
BENCHES.append("bench_gis.py")  # issue 16: OGC items by bbox and WMS GetMap, scoped vs unscoped
BENCHES.append("bench_preview.py")
BENCHES += ["bench_portal.py"]


def main() -> int:
    failed = 0
    for name in BENCHES:
        result = subprocess.run([sys.executable, str(HERE / name)], capture_output=True, text=True)
        if result.returncode:
            failed += 1
            print(f"{name}: FAILED\n{result.stderr[-2000:]}")
        else:
            print(result.stdout.strip())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
