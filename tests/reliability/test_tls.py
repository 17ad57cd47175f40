# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""TLS modes against a test server whose certificate comes from a CA made at test time."""

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import Server


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_ca(directory, label):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(_name(label)).issuer_name(_name(label))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    path = directory / ("%s.pem" % label)
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert, str(path)


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tls")
    ca_key, ca_cert, ca_path = make_ca(directory, "test-ca")
    _other_key, _other_cert, other_ca_path = make_ca(directory, "other-ca")
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(_name("localhost")).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_path, key_path = directory / "server.pem", directory / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    srv = Server(extra=["--tls-cert", str(cert_path), "--tls-key", str(key_path)])
    yield srv, ca_path, other_ca_path
    srv.stop()


def test_every_tls_mode(tls, module):
    srv, ca, _other = tls
    results = {mode: module("mo_snapshot_info", dict(srv.login(), tls_mode=mode, ca_cert=ca))
               for mode in ("disabled", "preferred", "required", "verify_ca")}
    results["verify_identity"] = module("mo_snapshot_info", dict(srv.login(login_host="localhost"),
                                                                 tls_mode="verify_identity", ca_cert=ca))
    assert not any(r["failed"] for r in results.values()), {m: r.get("msg") for m, r in results.items()}
    assert results["disabled"]["server"]["tls"] is False
    for mode in ("preferred", "required", "verify_ca", "verify_identity"):
        assert results[mode]["server"]["tls"] is True, mode


def test_wrong_ca_and_wrong_host_name_fail_clearly(tls, module):
    srv, ca, other = tls
    wrong_ca = module("mo_snapshot_info", dict(srv.login(), tls_mode="verify_ca", ca_cert=other))
    wrong_host = module("mo_snapshot_info", dict(srv.login(), tls_mode="verify_identity", ca_cert=ca))
    assert wrong_ca["failed"] and "tls_mode=verify_ca" in wrong_ca["msg"] and "CERTIFICATE_VERIFY_FAILED" in \
        wrong_ca["msg"]
    assert wrong_host["failed"] and "tls_mode=verify_identity" in wrong_host["msg"]
    assert "127.0.0.1" in wrong_host["msg"] and ("match" in wrong_host["msg"] or "mismatch" in wrong_host["msg"])


def test_required_against_a_plain_server_fails(server, module):
    result = module("mo_snapshot_info", dict(server.login(), tls_mode="required"))
    assert result["failed"] and "tls_mode=required" in result["msg"] and "TLS" in result["msg"]
