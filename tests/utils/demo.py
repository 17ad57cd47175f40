# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make demo`: build and install the collection, start the embedded test server, run playbooks/demo.yml.

With MO_TEST_HOST (MO_TEST_PORT, MO_TEST_USER, MO_TEST_PASSWORD) it runs against that MatrixOne instead.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def build_and_install():
    """Build the collection artifact and install it under .build/demo/collections."""
    work = os.path.join(REPO, ".build", "demo")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--force", "--output-path", work,
                    REPO], check=True, stdout=subprocess.DEVNULL)
    artifact = [f for f in os.listdir(work) if f.endswith(".tar.gz")][0]
    collections = os.path.join(work, "collections")
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--force", "-p", collections,
                    os.path.join(work, artifact)], check=True, stdout=subprocess.DEVNULL)
    return collections


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--version", default="4.2.0", help="MatrixOne version the test server impersonates")
    parser.add_argument("--collections-path", help="use this installed collection instead of building one")
    args = parser.parse_args()
    collections = args.collections_path or build_and_install()
    real = os.environ.get("MO_TEST_HOST")
    server = None
    if real:  # a real MatrixOne named on purpose: the demo drops and recreates its `shop` database there
        address = dict(MO_HOST=real, MO_PORT=os.environ.get("MO_TEST_PORT") or "6001",
                       MO_USER=os.environ.get("MO_TEST_USER") or "root",
                       MO_PASSWORD=os.environ.get("MO_TEST_PASSWORD") or "111")
        print("MatrixOne at %s:%s (MO_TEST_HOST)" % (real, address["MO_PORT"]))
    else:
        server = subprocess.Popen([sys.executable, "-m", "tests.mo_server", "--port", "0", "--version",
                                   args.version], cwd=REPO, stdout=subprocess.PIPE, text=True)
        port = re.match(r"READY [\d.]+:(\d+)", server.stdout.readline()).group(1)
        print("embedded MatrixOne-compatible test server (v%s) on 127.0.0.1:%s" % (args.version, port))
        address = dict(MO_HOST="127.0.0.1", MO_PORT=port, MO_USER="root", MO_PASSWORD="111")
    try:
        # MO_DEMO_SERVER: the demo may drop `shop` there (its own test server, or MO_TEST_HOST named on purpose)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
                   MO_DEMO_SERVER="yes", **address)
        env.pop("ANSIBLE_COLLECTIONS_PATHS", None)
        return subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local",
                               "-e", "ansible_python_interpreter=" + sys.executable,
                               os.path.join(REPO, "playbooks", "demo.yml")], env=env, check=False).returncode
    finally:
        if server is not None:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    sys.exit(main())
