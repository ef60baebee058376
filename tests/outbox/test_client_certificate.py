"""Issue 13: the http connector presents the client certificate the province issued (mutual TLS), and trusts the
province's own CA when told to; a server that requires the certificate refuses a connector without it."""

import datetime
import http.server
import ssl
import threading
import uuid

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.utils import timezone

from shuangsuiji.outbox.delivery import HttpConnector
from shuangsuiji.outbox.models import OutboxEvent, OutboxState


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _issue(subject: str, issuer_key, issuer: x509.Name, *, ca=False, san=None):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    cert = builder.sign(issuer_key or key, hashes.SHA256())
    return key, cert


def _write(path, key, cert):
    path.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(path)


@pytest.fixture
def pki(tmp_path):
    """The province's CA, its server certificate for 127.0.0.1, and the client certificate it issued to us."""
    import ipaddress

    ca_key, ca_cert = _issue("省级平台测试 CA", None, _name("省级平台测试 CA"), ca=True)
    server_key, server_cert = _issue(
        "127.0.0.1", ca_key, ca_cert.subject, san=[x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    )
    client_key, client_cert = _issue("舞钢市双随机平台", ca_key, ca_cert.subject)
    ca = tmp_path / "ca.pem"
    ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    return {
        "ca": str(ca),
        "server": _write(tmp_path / "server.pem", server_key, server_cert),
        "client": _write(tmp_path / "client.pem", client_key, client_cert),
    }


@pytest.fixture
def mtls_server(pki):
    """An https endpoint that requires a client certificate signed by the province's CA; records the peers."""
    peers: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            subject = dict(x[0] for x in self.connection.getpeercert()["subject"])
            peers.append(subject["commonName"])
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["server"])
    context.load_verify_locations(pki["ca"])
    context.verify_mode = ssl.CERT_REQUIRED
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/ssj/events", peers
    server.shutdown()
    server.server_close()


def an_event() -> OutboxEvent:
    # Not saved: the connector only reads the event's fields.
    now = timezone.now()
    return OutboxEvent(
        event_id=uuid.uuid4(),
        type="result.published",
        object_key="result:1",
        version=1,
        payload={"object_name": "测试商行"},
        created_at=now,
        next_attempt_at=now,
    )


def test_the_connector_presents_the_client_certificate_the_province_issued(pki, mtls_server):
    url, peers = mtls_server
    connector = HttpConnector(url, "k", 2, 2, client_cert=pki["client"], ca_file=pki["ca"])
    try:
        outcome = connector.send(an_event())
    finally:
        connector.close()
    assert outcome.state == OutboxState.DELIVERED and peers == ["舞钢市双随机平台"]


def test_without_the_client_certificate_the_province_refuses_the_connection(pki, mtls_server):
    url, peers = mtls_server
    connector = HttpConnector(url, "k", 2, 2, ca_file=pki["ca"])
    try:
        outcome = connector.send(an_event())
    finally:
        connector.close()
    assert outcome.state == OutboxState.FAILING and outcome.error and peers == []


def test_a_missing_certificate_file_stops_the_connector_with_a_chinese_message(tmp_path):
    with pytest.raises(ValueError, match="无法读取省级平台的 TLS 证书"):
        HttpConnector("https://127.0.0.1:1/", "k", 2, 2, client_cert=str(tmp_path / "none.pem"))
    with pytest.raises(ValueError, match="不是 https 地址"):
        HttpConnector("http://127.0.0.1:1/", "k", 2, 2, client_cert=str(tmp_path / "none.pem"))
