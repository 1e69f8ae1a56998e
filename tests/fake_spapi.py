"""A local fake of the Selling Partner API Reports API (2021-06-30) and of the Login with Amazon token
endpoint, on 127.0.0.1 (an ephemeral port, a threaded ``http.server``), serving the demo account's
own report files (sample_data/) as GZIP-compressed report documents.

Shapes follow the Reports API model: createReport -> ``{"reportId"}``; getReport -> ``{"reportId",
"reportType", "processingStatus", "dataStartTime", "dataEndTime", "createdTime", "processingEndTime",
"reportDocumentId"}``; getReports -> ``{"reports": [...]}``; getReportDocument -> ``{"reportDocumentId",
"url", "compressionAlgorithm": "GZIP"}``; errors -> ``{"errors": [{"code", "message"}]}``.

Behaviours a test can set: ``polls_before_done`` (IN_QUEUE, then IN_PROGRESS polls), ``throttle``
(the next N createReport calls answer 429 with ``Retry-After``), ``server_errors`` (the next N
getReport calls answer 503), ``cancelled`` / ``fatal`` (report types that end CANCELLED, or FATAL with
an error document), ``shrink`` (report type -> share of its rows served: a 5% snapshot),
``download_seconds`` (each document download waits this long first: a slow line), and
``files`` (report type -> the file served). Every request is recorded in ``requests``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
TOKEN = "Atza|fake-access-token"
ERROR_DOCUMENT = '{"errorDetails":"The report could not be generated: the seller account is under review."}'
ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"


def demo_files() -> dict[str, Path]:
    """The demo's file for each report type (the newest FBA Inventory snapshot: the API serves today's)."""
    manifest = json.loads((SAMPLE / "manifest.json").read_text())
    files: dict[str, Path] = {}
    for name, report_type in sorted(manifest["files"].items()):
        if report_type != "PRODUCT_COSTS":
            files[report_type] = SAMPLE / name  # sorted: the last planning file is the newest
    return files


def read_document(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


@dataclass
class Recorded:
    method: str
    path: str
    body: dict | None
    headers: dict


@dataclass
class FakeSpapi:
    now: dt.datetime
    files: dict = field(default_factory=demo_files)
    polls_before_done: int = 2
    throttle: int = 0
    retry_after: float = 7.0
    server_errors: int = 0
    cancelled: set = field(default_factory=lambda: {"GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL"})
    fatal: set = field(default_factory=set)
    shrink: dict = field(default_factory=dict)
    download_seconds: float = 0.0
    requests: list = field(default_factory=list)
    reports: dict = field(default_factory=dict)
    documents: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- the server ---------------------------------------------------------------------------------
    def start(self) -> "FakeSpapi":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _body(self):
                length = int(self.headers.get("content-length") or 0)
                return self.rfile.read(length) if length else b""

            def _send(self, status: int, payload, content_type="application/json", headers=None):
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                raw = self._body()
                url = urlsplit(self.path)
                if url.path == "/auth/o2/token":
                    form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                    fake._record("POST", url.path, form, self.headers)
                    return self._send(200, {"access_token": TOKEN, "token_type": "bearer", "expires_in": 3600})
                body = json.loads(raw or b"{}")
                fake._record("POST", url.path, body, self.headers)
                if url.path == "/reports/2021-06-30/reports":
                    return self._send(*fake.create_report(body))
                self._send(404, {"errors": [{"code": "NotFound", "message": "no such path"}]})

            def do_GET(self):
                url = urlsplit(self.path)
                fake._record("GET", url.path, {k: v for k, v in parse_qs(url.query).items()}, self.headers)
                parts = url.path.strip("/").split("/")
                if parts[:1] == ["download"]:
                    time.sleep(fake.download_seconds)  # a slow line: the app's progress shows meanwhile
                    data = fake.documents.get(parts[1])
                    return self._send(200, data, "application/octet-stream") if data else self._send(404, b"")
                if parts[:3] == ["reports", "2021-06-30", "reports"] and len(parts) == 4:
                    return self._send(*fake.get_report(parts[3]))
                if parts[:3] == ["reports", "2021-06-30", "reports"]:
                    return self._send(200, {"reports": [fake._public(r) for r in fake.reports.values()]})
                if parts[:3] == ["reports", "2021-06-30", "documents"] and len(parts) == 4:
                    return self._send(*fake.get_document(parts[3]))
                self._send(404, {"errors": [{"code": "NotFound", "message": "no such path"}]})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _record(self, method, path, body, headers):
        with self.lock:
            self.requests.append(Recorded(method, path, body, dict(headers)))

    # --- the Reports API ----------------------------------------------------------------------------
    def create_report(self, body: dict):
        with self.lock:
            if self.throttle:
                self.throttle -= 1
                return (429, {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota"}]},
                        "application/json", {"Retry-After": str(self.retry_after)})
            report_type = body.get("reportType")
            if report_type not in self.files and report_type not in self.cancelled:
                return 400, {"errors": [{"code": "InvalidInput", "message": f"unknown {report_type}"}]}
            report_id = str(50000 + len(self.reports) + 1)
            self.reports[report_id] = {"reportId": report_id, "reportType": report_type, "polls": 0,
                                       "dataStartTime": body.get("dataStartTime"),
                                       "dataEndTime": body.get("dataEndTime") or _iso(self.now),
                                       "marketplaceIds": body.get("marketplaceIds")}
        return 202, {"reportId": report_id}

    def _public(self, report: dict) -> dict:
        out = {k: v for k, v in report.items() if k != "polls" and v is not None}
        out["createdTime"] = _iso(self.now)
        return out

    def get_report(self, report_id: str):
        with self.lock:
            if self.server_errors:
                self.server_errors -= 1
                return 503, {"errors": [{"code": "ServiceUnavailable", "message": "try later"}]}
            report = self.reports.get(report_id)
            if report is None:
                return 404, {"errors": [{"code": "NotFound", "message": "no such report"}]}
            report["polls"] += 1
            if report["polls"] <= self.polls_before_done:
                report["processingStatus"] = "IN_QUEUE" if report["polls"] == 1 else "IN_PROGRESS"
            elif report["reportType"] in self.cancelled:
                report["processingStatus"] = "CANCELLED"
            elif report["reportType"] in self.fatal:
                report["processingStatus"] = "FATAL"
                report["reportDocumentId"] = self._document(f"err-{report_id}", ERROR_DOCUMENT.encode())
            else:
                report["processingStatus"] = "DONE"
                report["processingEndTime"] = _iso(self.now)
                report["reportDocumentId"] = self._document(f"doc-{report_id}", self.content(report))
            return 200, self._public(report)

    def _document(self, document_id: str, data: bytes) -> str:
        self.documents[document_id] = gzip.compress(data, mtime=0)
        return document_id

    def get_document(self, document_id: str):
        if document_id not in self.documents:
            return 404, {"errors": [{"code": "NotFound", "message": "no such document"}]}
        return 200, {"reportDocumentId": document_id, "compressionAlgorithm": "GZIP",
                     "url": f"{self.url}/download/{document_id}"}

    def content(self, report: dict) -> bytes:
        """The report's bytes: the demo file, cut to the requested window for All Orders."""
        data = read_document(self.files[report["reportType"]])
        lines = data.splitlines(keepends=True)
        head, rows = lines[0], lines[1:]
        if report["reportType"] == ORDERS:
            names = head.decode("utf-8-sig").rstrip("\r\n").split("\t")
            at = names.index("purchase-date")
            start, end = _parse(report["dataStartTime"]), _parse(report["dataEndTime"])
            rows = [r for r in rows if start <= _parse(r.decode("utf-8").split("\t")[at]) < end]
        share = self.shrink.get(report["reportType"])
        if share is not None:
            rows = rows[:max(1, int(len(rows) * share))]
        return head + b"".join(rows)

    # --- what tests read ----------------------------------------------------------------------------
    def calls(self, path_prefix: str, method: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith(path_prefix) and method in (None, r.method)]

    def created(self) -> list[dict]:
        return [r.body for r in self.calls("/reports/2021-06-30/reports", "POST")]
