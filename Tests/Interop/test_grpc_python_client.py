"""Python grpcio, an implementation we did not write, talks to each service over HTTP/2 and
mutual TLS, and is refused without the certificate the services' CA signed."""

import datetime

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from grpc_health.v1 import health_pb2, health_pb2_grpc

from conftest import mtls_credentials

SERVICES = {
    "planner": ("mlops.v1.Planner", "ExtractConstraints"),
    "critics": ("mlops.v1.Critics", "ReviewTechnical"),
    "policy": ("mlops.v1.Policy", "Evaluate"),
    "codegen": ("mlops.v1.Codegen", "Validate"),
}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_health_is_serving(grpc_service, name):
    address = grpc_service(name)
    full_name, _ = SERVICES[name]
    with grpc_service.channel(address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", full_name):
            reply = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        with pytest.raises(grpc.RpcError) as unknown:
            health.Check(health_pb2.HealthCheckRequest(service="mlops.v1.Nothing"), timeout=5)
        assert unknown.value.code() == grpc.StatusCode.NOT_FOUND


def test_watch_streams_the_current_status(grpc_service):
    address = grpc_service("planner")
    with grpc_service.channel(address) as channel:
        stream = health_pb2_grpc.HealthStub(channel).Watch(
            health_pb2.HealthCheckRequest(service="mlops.v1.Planner"), timeout=5
        )
        first = next(stream)
        assert first.status == health_pb2.HealthCheckResponse.SERVING
        stream.cancel()


def test_an_open_watch_does_not_hold_up_shutdown(grpc_service):
    address = grpc_service("planner")
    process = grpc_service.processes[-1]
    with grpc_service.channel(address) as channel:
        stream = health_pb2_grpc.HealthStub(channel).Watch(
            health_pb2.HealthCheckRequest(service="mlops.v1.Planner"), timeout=30
        )
        assert next(stream).status == health_pb2.HealthCheckResponse.SERVING
        process.terminate()
        # The server says it stops serving and ends the watch; it then exits by itself.
        statuses = [reply.status for reply in stream]
        assert statuses == [health_pb2.HealthCheckResponse.NOT_SERVING]
        assert process.wait(timeout=15) == 0


@pytest.mark.parametrize("method", ["Generate", "Validate"])
def test_codegen_refuses_an_empty_request(grpc_service, method):
    address = grpc_service("codegen")
    with grpc_service.channel(address) as channel:
        # An empty protobuf message is zero bytes; no generated stubs are needed for that.
        if method == "Generate":
            call = channel.unary_stream(f"/mlops.v1.Codegen/{method}")
            with pytest.raises(grpc.RpcError) as error:
                list(call(b"", timeout=5))
        else:
            call = channel.unary_unary(f"/mlops.v1.Codegen/{method}")
            with pytest.raises(grpc.RpcError) as error:
                call(b"", timeout=5)
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert error.value.details()


def test_an_empty_brief_is_invalid_argument(grpc_service):
    address = grpc_service("planner")
    with grpc_service.channel(address) as channel:
        call = channel.unary_unary("/mlops.v1.Planner/ExtractConstraints")
        with pytest.raises(grpc.RpcError) as error:
            call(b"", timeout=5)
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "brief is empty" in error.value.details()


def another_ca(folder):
    """A CA of our own and a client certificate it signs, as an outsider would make them."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "not the mlops CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mlops service")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    folder.mkdir()
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "service.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (folder / "service-key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return folder


@pytest.mark.parametrize("name", ["planner", "codegen"])
def test_a_caller_without_the_cas_certificate_gets_no_answer(grpc_service, name, tmp_path):
    address = grpc_service(name)
    outsider = another_ca(tmp_path / "outsider")
    # A client certificate from another CA, trusting the real server's CA for the handshake.
    forged = grpc.ssl_channel_credentials(
        root_certificates=(grpc_service.tls / "ca.pem").read_bytes(),
        private_key=(outsider / "service-key.pem").read_bytes(),
        certificate_chain=(outsider / "service.pem").read_bytes())
    channels = {
        "plaintext": grpc.insecure_channel(address),
        "TLS without a client certificate": grpc.secure_channel(
            address, mtls_credentials(grpc_service.tls, with_certificate=False)),
        "a certificate another CA signed": grpc.secure_channel(address, forged),
    }
    for what, channel in channels.items():
        with channel:
            with pytest.raises(grpc.RpcError) as refused:
                health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE, what
    with grpc_service.channel(address) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
