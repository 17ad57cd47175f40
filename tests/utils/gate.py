# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make test`: every stage of the gate, each judged by its exit code *and* by proof that it ran something.

Usage: python tests/utils/gate.py [stage ...]   (default: all stages, in order)

Ends with one plain line `N passed, N failed` and exits 1 when any stage failed or ran nothing.
The collection is staged under a build folder outside the work tree (ansible-test needs an
`ansible_collections/matrixone/backup` parent and takes its file list from git).
"""

import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_BIN = os.path.dirname(sys.executable)
PYTHON_VERSION = "%d.%d" % sys.version_info[:2]
BUILD = os.environ.get("MO_BUILD_DIR") or os.path.join(
    tempfile.gettempdir(), "matrixone-backup-" + hashlib.sha1(REPO.encode()).hexdigest()[:10])
STAGE = os.path.join(BUILD, "ansible_collections", "matrixone", "backup")
LOGS = os.path.join(BUILD, "logs")
DEFAULT_VERSIONS = ("1.2.4", "3.0.18", "4.2.0")


class StageFailed(Exception):
    pass


class StageSkipped(Exception):
    """The stage cannot run on this machine; the reason is printed and it counts as neither passed nor failed."""


def env():
    e = dict(os.environ)
    e["PATH"] = VENV_BIN + os.pathsep + e.get("PATH", "")
    e["ANSIBLE_FORCE_COLOR"] = "0"
    e.pop("ANSIBLE_COLLECTIONS_PATH", None)
    return e


def run(name, cmd, cwd=STAGE, extra_env=None, must_contain=None, must_not_contain=None):
    """Run a command with its output in LOGS/name.log (and on stdout); check rc and markers."""
    os.makedirs(LOGS, exist_ok=True)
    log_path = os.path.join(LOGS, name + ".log")
    e = env()
    e.update(extra_env or {})
    print("+ (%s) %s" % (os.path.relpath(cwd, BUILD) if cwd.startswith(BUILD) else cwd, " ".join(cmd)), flush=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out = []
        for line in proc.stdout:
            sys.stdout.write(line)
            log.write(line)
            out.append(line)
        rc = proc.wait()
    text = "".join(out)
    if rc != 0:
        raise StageFailed("%s exited %d (log: %s)" % (" ".join(cmd[:3]), rc, log_path))
    for marker in must_not_contain or ():
        if re.search(marker, text, re.M):
            raise StageFailed("output of %s contains %r: it ran nothing" % (cmd[0], marker))
    for marker in must_contain or ():
        if not re.search(marker, text, re.M):
            raise StageFailed("output of %s lacks %r: no proof that it ran anything" % (cmd[0], marker))
    return text


def prepare(stage=None, ansible_test_dir=None):
    """Copy tracked and untracked-but-not-ignored files into the stage; give it a git index."""
    stage = stage or STAGE
    if os.path.exists(stage):
        shutil.rmtree(stage)
    os.makedirs(stage)
    files = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=REPO, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, files):
        src = os.path.join(REPO, rel)
        if not os.path.isfile(src):
            continue
        dst = os.path.join(stage, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
    subprocess.run(["git", "init", "-q"], cwd=stage, check=True)
    subprocess.run(["git", "add", "-A"], cwd=stage, check=True)
    # ansible-test downloads a get-pip script from a host we cannot reach; give it our stand-in
    if ansible_test_dir is None:
        import ansible_test  # pylint: disable=import-outside-toplevel
        ansible_test_dir = os.path.dirname(ansible_test.__file__)
    req = os.path.join(ansible_test_dir, "_internal", "python_requirements.py")
    pip_version = re.search(r"pip='([\d.]+)'", open(req).read()).group(1)
    cache = os.path.expanduser("~/.ansible/test/cache")
    os.makedirs(cache, exist_ok=True)
    shutil.copy2(os.path.join(REPO, "tests", "utils", "get_pip_shim.py"),
                 os.path.join(cache, "get_pip_%s.py" % pip_version.replace(".", "_")))


def stage_sanity():
    run("sanity", ["ansible-test", "sanity", "--local", "--python", PYTHON_VERSION, "--color", "no"],
        must_contain=[r"Running sanity test .validate-modules"], must_not_contain=[r"All targets skipped"])


def stage_units():
    run("units", ["ansible-test", "units", "--local", "--python", PYTHON_VERSION, "--color", "no"],
        must_contain=[r"\d+ passed"], must_not_contain=[r"All targets skipped"])


def stage_server():
    run("server", [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/server"],
        cwd=REPO, must_contain=[r"\d+ passed"])


# 4.x runs with a server zone other than UTC, so PITR time conversion is exercised
SERVER_TIMEZONES = {"4.2.0": "Asia/Shanghai"}
# Not MatrixOne's default 111: Ansible masks every occurrence of a no_log value in results, so a snapshot time such
# as 22:08:13.111796 came back as 22:08:13.********796 and failed the tests that read it (a rare flake); the same
# hit the molecule scenarios through snapshot names stamped 01:01:11 (...20261129010111_...)
TEST_ROOT_PASSWORD = "gate-Root-pw"


def start_server(version, log_name):
    """Start the test server on a free loopback port; return (process, port)."""
    log = open(os.path.join(LOGS, log_name), "w")
    proc = subprocess.Popen([sys.executable, "-m", "tests.mo_server", "--host", "127.0.0.1", "--port", "0",
                             "--version", version, "--timezone", SERVER_TIMEZONES.get(version, "UTC"),
                             "--root-password", TEST_ROOT_PASSWORD],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline()
    m = re.match(r"READY ([\d.]+):(\d+)", line)
    if not m:
        proc.kill()
        raise StageFailed("test server %s did not start: %r" % (version, line))
    return proc, int(m.group(2))


S3_BUCKET = "mo-backups"
S3_KEYS = ("gate-access-key", "gate-Secret-key-9")


def start_s3(log_name):
    """An S3-compatible server (moto, pinned in requirements-dev.txt) on a free loopback port, with the tests'
    bucket; returns (process, endpoint). MatrixOne writes backups to it, the modules read them back."""
    import socket  # pylint: disable=import-outside-toplevel
    import boto3  # pylint: disable=import-outside-toplevel
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(os.path.join(LOGS, log_name), "w")
    proc = subprocess.Popen([os.path.join(VENV_BIN, "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    endpoint = "http://127.0.0.1:%d" % port
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=S3_KEYS[0],
                          aws_secret_access_key=S3_KEYS[1])
    for _attempt in range(100):
        try:
            client.create_bucket(Bucket=S3_BUCKET)
            return proc, endpoint
        except Exception:  # pylint: disable=broad-except
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    proc.kill()
    raise StageFailed("the S3 test server (moto_server) did not start; see %s" % os.path.join(LOGS, log_name))


def write_integration_config(host, port, user, password, version, timezone="UTC", stage=None, s3_endpoint=""):
    stage = stage or STAGE
    backup_root = tempfile.mkdtemp(prefix="mo-backups-", dir=BUILD)
    path = os.path.join(stage, "tests", "integration", "integration_config.yml")
    with open(path, "w") as f:
        f.write("mo_host: %s\nmo_port: %d\nmo_user: %s\nmo_password: '%s'\nmo_expected_version: '%s'\n"
                "mo_server_timezone: %s\nmo_backup_root: %s\nmo_s3_endpoint: '%s'\nmo_s3_bucket: %s\n"
                "mo_s3_access_key: %s\nmo_s3_secret_key: %s\n"
                % ((host, port, user, password, version, timezone, backup_root, s3_endpoint, S3_BUCKET) + S3_KEYS))


def stage_integration():
    os.makedirs(LOGS, exist_ok=True)
    cmd = ["ansible-test", "integration", "--local", "--python", PYTHON_VERSION, "--color", "no"] + \
        os.environ.get("MO_TEST_TARGETS", "").split()
    markers = dict(must_contain=[r"Running \S+ integration test role"], must_not_contain=[r"All targets skipped"])
    s3, endpoint = start_s3("s3-integration.log")
    try:
        if os.environ.get("MO_TEST_HOST"):  # a real MatrixOne: no test server
            write_integration_config(os.environ["MO_TEST_HOST"], int(os.environ.get("MO_TEST_PORT", "6001")),
                                     os.environ.get("MO_TEST_USER", "root"), os.environ.get("MO_TEST_PASSWORD", "111"),
                                     "", os.environ.get("MO_TEST_SERVER_TIMEZONE", "UTC"), s3_endpoint=endpoint)
            run("integration-real", cmd, **markers)
            return
        versions = os.environ.get("MO_TEST_VERSIONS", " ".join(DEFAULT_VERSIONS)).split()
        for version in versions:
            proc, port = start_server(version, "server-%s.log" % version)
            try:
                write_integration_config("127.0.0.1", port, "root", TEST_ROOT_PASSWORD, version,
                                         SERVER_TIMEZONES.get(version, "UTC"), s3_endpoint=endpoint)
                run("integration-%s" % version, cmd, **markers)
            finally:
                proc.terminate()
                proc.wait()
    finally:
        s3.terminate()
        s3.wait()


def stage_lint():
    run("lint", ["ansible-lint"], must_not_contain=[r"^WARNING\s+Listing \d+ violation"])


def stage_docs():
    run("docs", ["antsibull-docs", "lint-collection-docs", "--plugin-docs", "."])
    site = os.path.join(BUILD, "docsite")
    shutil.rmtree(site, ignore_errors=True)
    os.makedirs(site)
    run("docsite", ["antsibull-docs", "collection", "--use-current", "--fail-on-error", "--squash-hierarchy",
                    "--output-format", "simplified-rst", "--dest-dir", site, "matrixone.backup"],
        extra_env={"ANSIBLE_COLLECTIONS_PATH": BUILD})
    pages = sorted(f for f in os.listdir(site) if f.endswith(".rst"))
    if not any(p.startswith("mo_restore") for p in pages) or not any("snapshot_guard" in p for p in pages):
        raise StageFailed("the generated reference lacks module or role pages: %s" % pages)
    print("module and role reference (reStructuredText): %s (%d pages)" % (site, len(pages)))


def stage_changelog():
    run("changelog", ["antsibull-changelog", "lint"])
    run("changelog-yaml", ["antsibull-changelog", "lint-changelog-yaml", "changelogs/changelog.yaml"])


def stage_build():
    dist, inst = os.path.join(BUILD, "dist"), os.path.join(BUILD, "inst")
    for path in (dist, inst):
        shutil.rmtree(path, ignore_errors=True)
    run("build", ["ansible-galaxy", "collection", "build", "--force", "--output-path", dist])
    artifact = os.path.join(dist, os.listdir(dist)[0])
    members = subprocess.run(["tar", "tzf", artifact], check=True, capture_output=True, text=True).stdout.split()
    leaked = [m for m in members if m.startswith(("tests/", "extensions/", ".ansible/", ".venv/", ".ci/"))]
    if leaked:
        raise StageFailed("the artifact contains files that must not ship: %s" % ", ".join(leaked[:5]))
    # galaxy.yml says GPL-3.0-or-later: the licence's text ships beside the code
    if "COPYING" not in members:
        raise StageFailed("the artifact has no COPYING (the GPL-3.0 text that galaxy.yml's licence needs)")
    # the release notes ship and name the version being built (antsibull-changelog release)
    version = re.search(r"^version: (\S+)", open(os.path.join(STAGE, "galaxy.yml")).read(), re.M).group(1)
    if "CHANGELOG.rst" not in members or "\nv%s\n" % version not in open(os.path.join(STAGE, "CHANGELOG.rst")).read():
        raise StageFailed("the artifact has no CHANGELOG.rst naming v%s: run antsibull-changelog release" % version)
    run("install", ["ansible-galaxy", "collection", "install", "--force", "-p", inst, artifact])
    modules = sorted(f[:-3] for f in os.listdir(os.path.join(STAGE, "plugins", "modules")) if f.endswith(".py"))
    docs_env = {"ANSIBLE_COLLECTIONS_PATH": inst}
    for module in modules:
        run("ansible-doc-" + module, ["ansible-doc", "matrixone.backup." + module], extra_env=docs_env,
            must_contain=[r"MatrixOne"])


def stage_reliability():
    run("reliability", [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/reliability"],
        cwd=REPO, extra_env={"MO_COLLECTIONS_PATH": os.path.join(BUILD, "inst")}, must_contain=[r"\d+ passed"])


def stage_upgrade():
    """The guarded upgrade on two real MatrixOne builds (tests/upgrade): only where their directories are given."""
    if not (os.environ.get("MO_UPGRADE_FROM") and os.environ.get("MO_UPGRADE_TO")):
        raise StageSkipped("no MatrixOne builds to upgrade between: set MO_UPGRADE_FROM and MO_UPGRADE_TO to two build "
                           "directories (mo-service, lib/, etc/launch/), e.g. v3.0.18 and v4.1.4")
    run("upgrade", [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "tests/upgrade"], cwd=REPO,
        extra_env={"MO_COLLECTIONS_PATH": os.path.join(BUILD, "inst")}, must_contain=[r"\d+ passed"],
        must_not_contain=[r"\d+ skipped"])


def stage_demo():
    run("demo", [sys.executable, "tests/utils/demo.py", "--collections-path", os.path.join(BUILD, "inst")], cwd=REPO,
        must_contain=[r"after the rollback: 100 orders, 40 closed", r"failed=0"])


def stage_molecule():
    env_home = {"MO_MOLECULE_VERSION": os.environ.get("MO_MOLECULE_VERSION", "4.2.0")}
    if not os.environ.get("MO_TEST_HOST"):  # the scenarios' own test server: the password that cannot be masked
        env_home.update(MO_SERVER_ROOT_PASSWORD=TEST_ROOT_PASSWORD, MO_TEST_PASSWORD=TEST_ROOT_PASSWORD)
    run("molecule", ["molecule", "test", "--all"], extra_env=env_home,
        must_contain=[r"Molecule executed \d+ scenarios \(\d+ successful\)"],
        must_not_contain=[r"Molecule executed \d+ scenarios \(\d+ failed"])


def stage_runner():
    run("runner", [sys.executable, "tests/awx/run_job.py", "--collections-path", os.path.join(BUILD, "inst")],
        must_contain=[r"^\d+ passed, 0 failed$"])


def stage_ee():
    inst = os.path.join(BUILD, "inst")
    run("ee-introspect", ["ansible-builder", "introspect", inst], must_contain=[r"PyMySQL>=1\.0", r"boto3>=1\.26", r"google-crc32c>=1\.5"])
    context = os.path.join(BUILD, "ee")
    shutil.rmtree(context, ignore_errors=True)
    os.makedirs(context)
    dist = os.path.join(BUILD, "dist")
    shutil.copy(os.path.join(dist, os.listdir(dist)[0]), context)
    shutil.copy(os.path.join(STAGE, "tests", "ee", "execution-environment.yml"), context)
    if os.listdir(dist)[0] not in open(os.path.join(context, "execution-environment.yml")).read():
        raise StageFailed("tests/ee/execution-environment.yml does not name the built %s" % os.listdir(dist)[0])
    run("ee-create", ["ansible-builder", "create", "-f", "execution-environment.yml", "--context", "context",
                      "--output-filename", "Containerfile"], cwd=context)
    if not os.path.exists(os.path.join(context, "context", "Containerfile")):
        raise StageFailed("ansible-builder create wrote no Containerfile")


def find_python312():
    """A working Python 3.12 (pyenv shims may exist without the version being active)."""
    pyenv = os.path.expanduser("~/.pyenv/versions/3.12*/bin/python3.12")
    candidates = [shutil.which("python3.12")] + sorted(glob.glob(pyenv))
    for candidate in filter(None, candidates):
        if subprocess.run([candidate, "--version"], capture_output=True, check=False).returncode == 0:
            return candidate
    return None


def stage_core_next():
    """Sanity, units and integration (4.2.0) again with the newest ansible-core, which needs Python 3.12."""
    python = find_python312()
    if python is None:
        raise StageSkipped("no working Python 3.12 on this machine; ansible-core 2.20+ needs it")
    venv = os.path.join(REPO, ".venv-next")
    stamp = os.path.join(venv, ".installed")
    requirements = os.path.join(REPO, "requirements-next.txt")
    if not os.path.exists(stamp) or os.path.getmtime(stamp) < os.path.getmtime(requirements):
        subprocess.run([python, "-m", "venv", venv], check=True)
        run("next-venv", [os.path.join(venv, "bin", "python"), "-m", "pip", "install", "-q",
                          "--disable-pip-version-check", "-r", requirements], cwd=REPO)
        open(stamp, "w").close()
    next_python = os.path.join(venv, "bin", "python")
    at_dir = subprocess.run([next_python, "-c", "import ansible_test, os; print(os.path.dirname(ansible_test.__file__))"],
                            capture_output=True, text=True, check=True).stdout.strip()
    stage = os.path.join(BUILD + "-next", "ansible_collections", "matrixone", "backup")
    prepare(stage, at_dir)
    env_next = {"PATH": os.path.join(venv, "bin") + os.pathsep + env()["PATH"]}
    ansible_test = os.path.join(venv, "bin", "ansible-test")
    run("next-sanity", [ansible_test, "sanity", "--local", "--python", "3.12", "--color", "no"], cwd=stage,
        extra_env=env_next, must_contain=[r"Running sanity test .validate-modules"],
        must_not_contain=[r"All targets skipped"])
    run("next-units", [ansible_test, "units", "--local", "--python", "3.12", "--color", "no"], cwd=stage,
        extra_env=env_next, must_contain=[r"\d+ passed"])
    proc, port = start_server("4.2.0", "server-next.log")
    s3, endpoint = start_s3("s3-next.log")
    try:
        write_integration_config("127.0.0.1", port, "root", TEST_ROOT_PASSWORD, "4.2.0",
                                 SERVER_TIMEZONES.get("4.2.0", "UTC"), stage=stage, s3_endpoint=endpoint)
        run("next-integration", [ansible_test, "integration", "--local", "--python", "3.12", "--color", "no"],
            cwd=stage, extra_env=env_next, must_contain=[r"Running \S+ integration test role"],
            must_not_contain=[r"All targets skipped"])
    finally:
        for server in (proc, s3):
            server.terminate()
            server.wait()


STAGES = [("sanity", stage_sanity), ("units", stage_units), ("server", stage_server),
          ("integration", stage_integration), ("lint", stage_lint), ("docs", stage_docs),
          ("changelog", stage_changelog), ("build", stage_build), ("demo", stage_demo), ("reliability", stage_reliability),
          ("upgrade", stage_upgrade), ("molecule", stage_molecule),
          ("runner", stage_runner), ("ee", stage_ee), ("core-next", stage_core_next)]


def main(argv):
    wanted = argv or [stage[0] for stage in STAGES]
    unknown = set(wanted) - {stage[0] for stage in STAGES}
    if unknown:
        print("unknown stage(s): %s; known: %s" % (", ".join(sorted(unknown)), ", ".join(stage[0] for stage in STAGES)))
        return 2
    if set(wanted) & {"demo", "reliability", "upgrade", "runner", "ee"} and "build" not in wanted:
        wanted = list(wanted) + ["build"]  # they use the installed artifact the build stage makes
    prepare()
    results = []
    for name, fn in STAGES:
        if name not in wanted:
            continue
        print("\n===== %s =====" % name, flush=True)
        start = time.time()
        try:
            fn()
            results.append((name, True, time.time() - start, ""))
        except StageSkipped as exc:
            results.append((name, None, time.time() - start, str(exc)))
            print("STAGE SKIPPED: %s: %s" % (name, exc), flush=True)
        except StageFailed as exc:
            results.append((name, False, time.time() - start, str(exc)))
            print("STAGE FAILED: %s: %s" % (name, exc), flush=True)
    print("\n===== summary =====")
    for name, ok, secs, why in results:
        print("%s %-12s %6.1f s %s" % ({True: "PASS", False: "FAIL", None: "SKIP"}[ok], name, secs, why))
    passed = sum(1 for r in results if r[1] is True)
    failed = sum(1 for r in results if r[1] is False)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
