"""One way to start the demo server for the browser tests, with or without extra plugins."""

import contextlib
import os
import subprocess
import sys
import time
import urllib.request

from anjian.testing import free_port

PASSWORD = "Browser-test-1"


@contextlib.contextmanager
def running_server(home, extra_env=None, prepare=()):
    """``anjian init``, each command of ``prepare``, then ``anjian serve`` until the block ends."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANJIAN_")}
    env.update(
        ANJIAN_HOME=str(home),
        ANJIAN_ADMIN_PASSWORD=PASSWORD,
        ANJIAN_PORT=str(port),
        ANJIAN_MFA_ADMIN="false",
        ANJIAN_SECRET_KEY="browser-test-secret-0123456789-0123456789",
        **(extra_env or {}),
    )
    for command in (["init"], *prepare):
        subprocess.run([sys.executable, "-m", "anjian.cli", *command], env=env, check=True, capture_output=True, timeout=300)
    process = subprocess.Popen(
        [sys.executable, "-m", "anjian.cli", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if urllib.request.urlopen(f"{base}/login/", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield {"base": base, "env": env}
    finally:
        process.terminate()
        process.wait(timeout=20)
