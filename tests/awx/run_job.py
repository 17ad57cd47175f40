# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An AWX-like run: playbooks/guarded_migration.yml through ansible-runner (the engine AWX uses).

Extra vars come as a survey would send them, the connection as the custom credential type of
docs/awx/credential_type.yml injects it (MO_* environment and files, empty ones for empty fields).
Checks that the job's artifacts carry the snapshot name from set_stats, for a
migration that succeeds and one that is rolled back, and that the password appears in no event.

python tests/awx/run_job.py --collections-path DIR
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import ansible_runner
import pymysql

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASSWORD = "awx-" + os.urandom(6).hex()


def start_server():
    proc = subprocess.Popen([sys.executable, "-m", "tests.mo_server", "--port", "0", "--version", "4.2.0"], cwd=REPO,
                            stdout=subprocess.PIPE, text=True, env=dict(os.environ, MO_SERVER_ROOT_PASSWORD=PASSWORD))
    port = int(re.match(r"READY [\d.]+:(\d+)", proc.stdout.readline()).group(1))
    return proc, port


def sql(port, *statements):
    conn = pymysql.connect(host="127.0.0.1", port=port, user="root", password=PASSWORD, autocommit=True)
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
        rows = cur.fetchall()
    conn.close()
    return rows


def credential_env(port, directory):
    """The MO_* environment the custom credential type (docs/awx/credential_type.yml) injects, rendered as AWX does:
    each file template written to a file (empty when its field is), each env template rendered with the inputs."""
    import jinja2  # pylint: disable=import-outside-toplevel
    import yaml  # pylint: disable=import-outside-toplevel
    with open(os.path.join(REPO, "docs", "awx", "credential_type.yml")) as f:
        ctype = yaml.safe_load(f)
    inputs = dict((field["id"], field.get("default", "")) for field in ctype["inputs"]["fields"])
    inputs.update(host="127.0.0.1", port=str(port), user="root", password=PASSWORD)
    files = {}
    for key, template in ctype["injectors"]["file"].items():
        path = os.path.join(directory, key.replace(".", "_"))
        with open(path, "w") as f:
            f.write(jinja2.Template(template).render(**inputs))
        files[key.split(".", 1)[1]] = path
    return dict((name, jinja2.Template(template).render(tower={"filename": files}, **inputs))
                for name, template in ctype["injectors"]["env"].items())


def run(collections, port, extravars, ident, playbook="guarded_migration.yml"):
    pdd = tempfile.mkdtemp(prefix="awx-job-")
    os.makedirs(os.path.join(pdd, "project"))
    shutil.copy(os.path.join(REPO, "playbooks", playbook), os.path.join(pdd, "project"))
    os.makedirs(os.path.join(pdd, "inventory"))
    with open(os.path.join(pdd, "inventory", "hosts"), "w") as f:
        f.write("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    envvars = dict(credential_env(port, pdd), ANSIBLE_COLLECTIONS_PATH=collections,
                   PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    result = ansible_runner.run(private_data_dir=pdd, playbook=playbook, extravars=extravars,
                                envvars=envvars, ident=ident, quiet=True)
    stats = {}
    events = list(result.events)
    for event in events:
        if event.get("event") == "playbook_on_stats":
            stats = event.get("event_data", {}).get("artifact_data", {})
    leaked = [e.get("event") for e in events if PASSWORD in json.dumps(e)]
    with open(os.path.join(pdd, "artifacts", ident, "stdout")) as f:
        stdout = f.read()
    return result, stats, leaked, stdout


def setup_checks():
    """docs/awx/setup_awx.yml (awx.awx) against the files it uses: every job template's playbook and survey exist,
    each survey asks only for variables its playbook reads, the credential's inputs are fields of the credential
    type, and the workflow's nodes are job templates it creates. (Running it needs an AWX controller.)"""
    import yaml  # pylint: disable=import-outside-toplevel
    with open(os.path.join(REPO, "docs", "awx", "setup_awx.yml")) as f:
        play = yaml.safe_load(f)[0]
    with open(os.path.join(REPO, "docs", "awx", "credential_type.yml")) as f:
        fields = set(field["id"] for field in yaml.safe_load(f)["inputs"]["fields"])
    tasks = dict((next(k for k in t if k.startswith("awx.awx.")), t) for t in play["tasks"]
                 if any(k.startswith("awx.awx.") for k in t))
    checks = []
    for template in play["vars"]["job_templates"]:
        playbook = os.path.join(REPO, template["playbook"])
        checks.append((os.path.exists(playbook), "setup_awx: %s exists" % template["playbook"]))
        if template["survey"]:
            with open(os.path.join(REPO, "docs", "awx", template["survey"])) as f:
                asked = [q["variable"] for q in json.load(f)["spec"]]
            text = open(playbook).read() if os.path.exists(playbook) else ""
            unread = [v for v in asked if v not in text]
            checks.append((not unread, "setup_awx: %s reads every variable of %s (unread: %s)"
                           % (template["playbook"], template["survey"], unread)))
    inputs = set(tasks["awx.awx.credential"]["awx.awx.credential"]["inputs"])
    checks.append((inputs <= fields, "setup_awx: credential inputs %s are credential type fields"
                   % sorted(inputs - fields)))
    names = set(t["name"] for t in play["vars"]["job_templates"])
    scheduled = tasks["awx.awx.schedule"]["awx.awx.schedule"]["unified_job_template"]
    checks.append((scheduled in names, "setup_awx: the schedule runs a job template it creates (%s)" % scheduled))
    nodes = tasks["awx.awx.workflow_job_template"]["awx.awx.workflow_job_template"]["workflow_nodes"]
    used = set(n["unified_job_template"]["name"] for n in nodes)
    checks.append((used <= names, "setup_awx: workflow nodes %s are job templates it creates" % sorted(used - names)))
    return checks


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--collections-path", required=True)
    args = parser.parse_args()
    proc, port = start_server()
    failures = []
    try:
        sql(port, "CREATE DATABASE awx_shop", "CREATE TABLE awx_shop.orders (id int primary key, qty int)",
            "INSERT INTO awx_shop.orders VALUES (1, 5), (2, 7)")
        good, stats, leaked, stdout = run(args.collections_path, port, {
            "guard_database": "awx_shop", "guard_sql": ["UPDATE orders SET qty = qty + 1"],
            "guard_checks": [{"name": "two orders", "sql": "SELECT count(*) AS n FROM awx_shop.orders",
                              "expect": [{"n": 2}]}]}, "good")
        name = stats.get("snapshot_guard_snapshot_name", "")
        checks = [
            (good.rc == 0 and good.status == "successful", "good job: rc=%s status=%s" % (good.rc, good.status)),
            (re.match(r"^guard_awx_shop_\d{14}_[a-z0-9]{4}$", name), "good job: set_stats name %r" % name),
            (stats.get("snapshot_guard_result") == "success", "good job: result %r" % stats.get("snapshot_guard_result")),
            (sql(port, "SELECT sum(qty) FROM awx_shop.orders") == ((14,),), "good job: migration applied"),
            (sql(port, "SHOW SNAPSHOTS WHERE snapshot_name = '%s'" % name), "good job: snapshot kept"),
            (not leaked and PASSWORD not in stdout, "good job: password in events %s" % leaked),
        ]
        bad, stats, leaked, stdout = run(args.collections_path, port, {
            "guard_database": "awx_shop", "guard_sql": ["DELETE FROM orders", "INSERT INTO nope VALUES (1)"]}, "bad")
        checks += [
            (bad.rc != 0 and bad.status == "failed", "bad job: rc=%s status=%s" % (bad.rc, bad.status)),
            (stats.get("snapshot_guard_snapshot_name", "").startswith("guard_awx_shop_"), "bad job: set_stats name"),
            (stats.get("snapshot_guard_result") == "rolled_back", "bad job: result %r" % stats.get("snapshot_guard_result")),
            (sql(port, "SELECT count(*), sum(qty) FROM awx_shop.orders") == ((2, 14),), "bad job: data restored"),
            (not leaked and PASSWORD not in stdout, "bad job: password in events %s" % leaked),
        ]
        # the survey's rehearsal: a failing migration stops before the snapshot, production untouched
        rehearsed, stats, leaked, stdout = run(args.collections_path, port, {
            "guard_database": "awx_shop", "guard_rehearse": "true",
            "guard_sql": ["DELETE FROM orders", "INSERT INTO nope VALUES (1)"]}, "rehearsed")
        checks += [
            (rehearsed.rc != 0 and stats.get("snapshot_guard_result") == "rehearsal_failed",
             "rehearsed job: rc=%s result %r" % (rehearsed.rc, stats.get("snapshot_guard_result"))),
            ("snapshot_guard_snapshot_name" not in stats, "rehearsed job: no guard snapshot was taken"),
            ("rehearsal failed at statement 2 of 2: INSERT INTO nope VALUES (1)" in stdout,
             "rehearsed job: the failing statement is named"),
            (sql(port, "SELECT count(*), sum(qty) FROM awx_shop.orders") == ((2, 14),), "rehearsed job: data untouched"),
            (sql(port, "SELECT account_name FROM mo_catalog.mo_account WHERE account_name LIKE 'mo_rehearsal%'") == (),
             "rehearsed job: no scratch account left"),
            (not leaked and PASSWORD not in stdout and not re.search(r"IDENTIFIED BY '(?!\*{8}')", stdout),
             "rehearsed job: no password in events %s" % leaked),
        ]
        # the scheduled restore drill: the newest nightly snapshot restored beside the data, verified, dropped
        sql(port, "CREATE SNAPSHOT nightly_awx FOR ACCOUNT sys")
        drill, stats, leaked, stdout = run(args.collections_path, port, {
            "drill_database": "awx_shop", "drill_prefix": "nightly_", "drill_count": "1"}, "drill",
            playbook="restore_drill.yml")
        drilled = stats.get("restore_drill_results") or [{}]
        checks += [
            (drill.rc == 0 and drilled[0].get("point") == "nightly_awx" and drilled[0].get("verified") is True,
             "restore drill job: rc=%s results %r" % (drill.rc, drilled)),
            (stats.get("restore_drill_failed") == [], "restore drill job: nothing failed"),
            (not [r for r in sql(port, "SHOW DATABASES") if r[0].startswith("mo_drill_")], "restore drill job: no copy left"),
            (not leaked and PASSWORD not in stdout, "restore drill job: password in events %s" % leaked),
        ]
        # an account-level guard needs no database (the playbook used to fail on an undefined guard_database)
        account, stats, leaked, stdout = run(args.collections_path, port, {
            "guard_level": "account", "guard_sql": ["UPDATE awx_shop.orders SET qty = qty + 0"]}, "account")
        checks += [
            (account.rc == 0 and stats.get("snapshot_guard_result") == "success",
             "account-level job: rc=%s result %r" % (account.rc, stats.get("snapshot_guard_result"))),
        ]
        # the workflow hand-off: the survey's snapshot left empty, the guard's snapshot name passed on
        with open(os.path.join(REPO, "docs", "awx", "survey_restore.json")) as f:
            survey = dict((q["variable"], q) for q in json.load(f)["spec"])
        restore, stats, leaked, stdout = run(args.collections_path, port, {
            "mo_restore_snapshot": "", "snapshot_guard_snapshot_name": name, "mo_restore_level": "database",
            "mo_restore_database": "awx_shop"}, "restore", playbook="restore.yml")
        checks += [
            (not survey["mo_restore_snapshot"]["required"], "restore survey: the snapshot question is optional"),
            (restore.rc == 0, "restore job from the workflow's snapshot: rc=%s" % restore.rc),
            (sql(port, "SELECT sum(qty) FROM awx_shop.orders") == ((12,),), "restore job: data as before the good job"),
            (not leaked and PASSWORD not in stdout, "restore job: password in events %s" % leaked),
        ]
        # a scheduled physical backup into a directory, then an incremental with retention 1
        root = tempfile.mkdtemp(prefix="awx-backups-")
        full, stats, leaked, stdout = run(args.collections_path, port, {"mo_backup_root": root}, "backup-full",
                                          playbook="backup.yml")
        full_location = stats.get("mo_backup_location", "")
        checks += [
            (full.rc == 0 and full_location.startswith(root + "/full-"), "backup job: rc=%s location %r"
             % (full.rc, full_location)),
            (os.path.exists(os.path.join(full_location, "mo_meta")), "backup job: MatrixOne's mo_meta is there"),
            (not leaked and PASSWORD not in stdout, "backup job: password in events %s" % leaked),
        ]
        time.sleep(1.1)  # the next backup's name has the next second
        inc, stats, leaked, stdout = run(args.collections_path, port, {
            "mo_backup_root": root, "mo_backup_type": "incremental", "mo_backup_keep_newest": 1}, "backup-inc",
            playbook="backup.yml")
        checks += [
            (inc.rc == 0 and stats.get("mo_backup_location", "").startswith(root + "/incremental-"),
             "incremental backup job: rc=%s" % inc.rc),
            (sorted(os.listdir(root)) == sorted([os.path.basename(full_location),
                                                os.path.basename(stats.get("mo_backup_location", ""))]),
             "incremental backup job: retention 1 kept its base: %s" % sorted(os.listdir(root))),
        ]
        checks += setup_checks()
        for ok, what in checks:
            print("%s %s" % ("ok  " if ok else "FAIL", what))
            if not ok:
                failures.append(what)
    finally:
        proc.terminate()
        proc.wait()
    print("%d passed, %d failed" % (len(checks) - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
