"""A stand-in for the provincial platform, run as its own process by the reliability tests.

    python tests/outbox/province.py PORT RECORD_FILE MODE_FILE KEY

Each POST is answered as MODE_FILE says at that moment (read per request):
  ok      200, the event accepted            slow [S] 200 after S seconds (default 0.05)
  500     server error                        reject  422 with a Chinese answer
  hang    no answer for 30 s                  drop    the connection closed without an answer
Every request is appended to RECORD_FILE as one JSON line: the Idempotency-Key, the body's object and version,
whether the HMAC-SM3 signature verified, the status answered (0 = none), and whether the id had been accepted before.

Idempotent, as a real endpoint keyed by Idempotency-Key is: an id accepted before (in this process or an earlier one:
the ids are read back from RECORD_FILE at start) is answered 200 again, `"duplicate": true`, and not taken twice.
"""

import http.server
import json
import os
import sys
import threading
import time

from cryptography.hazmat.primitives import hashes, hmac

PORT, RECORD, MODE, KEY = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4].encode()
ACCEPTED: set[str] = set()
if os.path.exists(RECORD):
    with open(RECORD, encoding="utf-8") as f:
        ACCEPTED = {
            d["id"] for d in map(json.loads, filter(None, f.read().splitlines())) if d["status"] == 200
        }
LOCK = threading.Lock()


def signature_ok(body: bytes, header: str) -> bool:
    mac = hmac.HMAC(KEY, hashes.SM3())
    mac.update(body)
    return header == "hmac-sm3=" + mac.finalize().hex()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; with Nagle on, the body waits for the client's delayed ACK (~40 ms a
    # request), which made the stand-in, not the platform, the bottleneck of the 10,000-event scenario.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def _record(self, doc: dict, status: int, duplicate: bool = False) -> None:
        line = {
            "duplicate": duplicate,
            "id": self.headers.get("Idempotency-Key"),
            "object": doc.get("object"),
            "version": doc.get("version"),
            "body_id": doc.get("id"),
            "signature_ok": signature_ok(self.body, self.headers.get("X-SSJ-Signature", "")),
            "status": status,
        }
        with open(RECORD, "a", encoding="utf-8") as f:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
            f.flush()

    def _answer(self, status: int, text: str) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        self.body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        doc = json.loads(self.body)
        with open(MODE, encoding="utf-8") as f:
            mode = f.read().strip() or "ok"
        if mode == "hang":
            self._record(doc, 0)
            time.sleep(30)
            return
        if mode == "drop":
            self._record(doc, 0)
            self.close_connection = True
            self.connection.close()
            return
        if mode == "500":
            self._record(doc, 500)
            self._answer(500, '{"error": "服务暂不可用"}')
            return
        if mode == "reject":
            self._record(doc, 422)
            self._answer(422, '{"error": "缺少检查实施机关代码"}')
            return
        if mode.startswith("slow"):
            time.sleep(float(mode.split()[1]) if " " in mode else 0.05)
        key = self.headers.get("Idempotency-Key")
        with LOCK:
            duplicate = key in ACCEPTED
            ACCEPTED.add(key)
            self._record(doc, 200, duplicate)
        self._answer(200, '{"accepted": true, "duplicate": true}' if duplicate else '{"accepted": true}')


if __name__ == "__main__":
    server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    server.daemon_threads = True
    print("ready", flush=True)
    server.serve_forever()
