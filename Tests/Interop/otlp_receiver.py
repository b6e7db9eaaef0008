"""An OTLP/gRPC trace receiver built from PyPI's opentelemetry-proto on grpcio (the collector is
not installable here). The observability test keeps what it receives; run alone
(`python Tests/Interop/otlp_receiver.py PORT [--count-only]`) it is the collector that
`mlops bench e2e --tracing-endpoint` exports to."""

import sys
import threading
import time
from concurrent import futures

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc


class Receiver(trace_service_pb2_grpc.TraceServiceServicer):
    """Keeps every span exported to it."""

    def __init__(self):
        self.spans = []
        self.lock = threading.Lock()

    def Export(self, request, context):
        with self.lock:
            for resource_spans in request.resource_spans:
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        self.spans.append({
                            "trace_id": span.trace_id.hex(), "span_id": span.span_id.hex(),
                            "parent": span.parent_span_id.hex(), "name": span.name, "kind": span.kind,
                            "attributes": {kv.key: _value(kv.value) for kv in span.attributes},
                        })
        return trace_service_pb2.ExportTraceServiceResponse()

    def of_trace(self, trace_id):
        with self.lock:
            return [span for span in self.spans if span["trace_id"] == trace_id]


def _value(any_value):
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


def start_receiver(port: int = 0):
    receiver = Receiver()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(receiver, server)
    bound = server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    receiver.endpoint = f"http://127.0.0.1:{bound}"
    return receiver, server


def start_counting_receiver(port: int):
    """Takes each export as bytes and counts them, decoding nothing: the cheapest collector
    stand-in, so a benchmark measures the platform's cost of tracing, not the receiver's."""
    counted = {"exports": 0, "bytes": 0}

    def export(request: bytes, context):
        counted["exports"] += 1
        counted["bytes"] += len(request)
        return b""

    handler = grpc.method_handlers_generic_handler(
        "opentelemetry.proto.collector.trace.v1.TraceService",
        {"Export": grpc.unary_unary_rpc_method_handler(export)})
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    return counted, server


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 4317
    if "--count-only" in sys.argv:
        counted, server = start_counting_receiver(port)
        print(f"counting OTLP exports at http://127.0.0.1:{port}", flush=True)
        while True:
            time.sleep(10)
            print(f"{counted['exports']} exports, {counted['bytes']} bytes received", flush=True)
    receiver, server = start_receiver(port)
    print(f"receiving OTLP traces at {receiver.endpoint}", flush=True)
    while True:
        time.sleep(10)
        print(f"{len(receiver.spans)} spans received", flush=True)
