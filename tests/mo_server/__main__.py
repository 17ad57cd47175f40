"""python -m tests.mo_server --host 127.0.0.1 --port 0 --version 3.0.18: prints READY host:port."""

import argparse
import logging
import os
import sys

from .server import run, tls_context


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.mo_server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6001, help="0 picks a free port")
    parser.add_argument("--version", default="3.0.18", help="MatrixOne version to impersonate, or 'dev'")
    parser.add_argument("--data-dir", help="keep state here across restarts (default: memory)")
    parser.add_argument("--root-password", default=os.environ.get("MO_SERVER_ROOT_PASSWORD", "111"),
                        help="password of sys users root and dump (or MO_SERVER_ROOT_PASSWORD, kept out of argv)")
    parser.add_argument("--tenant-snapshot-quota", type=int, default=50,
                        help="4.x default snapshot quota per level for non-sys accounts")
    parser.add_argument("--timezone", default="UTC",
                        help="the server's local time zone (IANA name): PITR timestamps are read in it")
    parser.add_argument("--aws-ca-bundle", metavar="FILE",
                        help="behave as a MatrixOne whose process has AWS_CA_BUNDLE=FILE: it refuses S3 backups")
    parser.add_argument("--tls-cert", help="PEM certificate: offer TLS")
    parser.add_argument("--tls-key", help="PEM private key for --tls-cert")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, stream=sys.stderr)
    # mysql-mimic logs every ERR packet it sends; those are answers, not server faults
    logging.getLogger("mysql_mimic").setLevel(max(logging.getLevelName(args.log_level), logging.CRITICAL))

    def ready(host, port):
        print("READY %s:%d" % (host, port), flush=True)

    ssl_context = tls_context(args.tls_cert, args.tls_key) if args.tls_cert else None
    try:
        run(args.host, args.port, args.version, data_dir=args.data_dir, root_password=args.root_password,
            tenant_snapshot_quota=args.tenant_snapshot_quota, timezone=args.timezone, ssl_context=ssl_context,
            ready=ready, aws_ca_bundle=args.aws_ca_bundle)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
