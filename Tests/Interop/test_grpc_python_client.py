"""Python grpcio, an implementation we did not write, talks to each service over HTTP/2."""

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

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
    with grpc.insecure_channel(address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", full_name):
            reply = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        with pytest.raises(grpc.RpcError) as unknown:
            health.Check(health_pb2.HealthCheckRequest(service="mlops.v1.Nothing"), timeout=5)
        assert unknown.value.code() == grpc.StatusCode.NOT_FOUND


def test_watch_streams_the_current_status(grpc_service):
    address = grpc_service("planner")
    with grpc.insecure_channel(address) as channel:
        stream = health_pb2_grpc.HealthStub(channel).Watch(
            health_pb2.HealthCheckRequest(service="mlops.v1.Planner"), timeout=5
        )
        first = next(stream)
        assert first.status == health_pb2.HealthCheckResponse.SERVING
        stream.cancel()


def test_an_open_watch_does_not_hold_up_shutdown(grpc_service):
    address = grpc_service("planner")
    process = grpc_service.processes[-1]
    with grpc.insecure_channel(address) as channel:
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
    with grpc.insecure_channel(address) as channel:
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
    with grpc.insecure_channel(address) as channel:
        call = channel.unary_unary("/mlops.v1.Planner/ExtractConstraints")
        with pytest.raises(grpc.RpcError) as error:
            call(b"", timeout=5)
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "brief is empty" in error.value.details()
