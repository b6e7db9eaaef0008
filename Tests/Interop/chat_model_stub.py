"""An OpenAI-compatible chat server whose replies are never valid answers, so each planner call
is a real model call with tokens and the rules answer in the end (the fallback path).
`delay` holds every reply, to keep calls in flight."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def start_chat_model(prompt_tokens: int = 42, completion_tokens: int = 7, delay: float = 0.0):
    """Starts the stub on a free port; returns its base URL and the server (`.shutdown()` it)."""
    body = json.dumps({
        "choices": [{"message": {"role": "assistant", "content": "not a JSON answer"}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens},
    }).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server
