"""The Selling Partner API client: the real python-amazon-sp-api ``Reports`` client, its endpoints,
Amazon's request rates, and retries.

Endpoints: the library takes the SP-API address from the marketplace (``Client.endpoint``) and the
Login with Amazon token address from ``AccessTokenClient.scheme`` + ``host`` (sp_api/auth/
access_token_client.py). ``FBA_HEALTH_SPAPI_ENDPOINT`` and ``FBA_HEALTH_LWA_ENDPOINT`` (e.g.
``http://127.0.0.1:8765``) replace those two on the client instance; nothing else of the library is
changed. The report documents themselves are fetched from the URL Amazon returns (a signed link),
streamed to a file and decompressed on the way (never held whole in memory).

Rates (Reports API 2021-06-30 usage plans): createReport 0.0167/s burst 15, getReport 2/s burst 15,
getReportDocument 0.0167/s burst 15. ``RateLimiter`` is a token bucket per operation; 429 and 5xx are
retried with exponential backoff, honouring ``Retry-After``. The clock and the sleep are injectable
(``Pace``) so tests run without real waits.
"""

from __future__ import annotations

import os
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import httpx

RATES = {  # operation: (requests per second, burst)
    "createReport": (1 / 60, 15),
    "getReport": (2.0, 15),
    "getReportDocument": (1 / 60, 15),
}
MAX_ATTEMPTS = 6
BACKOFF_START_S = 2.0
CHUNK = 1 << 16


class SpapiError(Exception):
    """A request to Amazon failed for good; the message is for the seller."""


class CredentialsRefused(SpapiError):
    """Login with Amazon refused the credentials: no request can succeed."""


class AmazonUnreachable(SpapiError):
    """No connection to Amazon after every retry: no other request would get through either."""


@dataclass
class Pace:
    """The clock and the sleep the limiter and the polls use (``time.monotonic`` / ``time.sleep``)."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    calls: list = field(default_factory=list)  # (clock, operation) of every paced request, for tests


class FakeClock(Pace):
    """A clock that only moves when slept on: tests run a sync's hour of waits in no time."""

    def __init__(self):
        self.now = 0.0
        self.slept: list[float] = []
        super().__init__(clock=lambda: self.now, sleep=self._sleep, calls=[])

    def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)


@dataclass
class RateLimiter:
    """A token bucket per operation (rate per second, burst), as Amazon's usage plans describe."""

    pace: Pace = field(default_factory=Pace)
    rates: dict = field(default_factory=lambda: dict(RATES))
    _tokens: dict = field(default_factory=dict)
    _stamp: dict = field(default_factory=dict)

    def acquire(self, operation: str) -> None:
        rate, burst = self.rates[operation]
        now = self.pace.clock()
        tokens = min(burst, self._tokens.get(operation, burst) + (now - self._stamp.get(operation, now)) * rate)
        if tokens < 1:
            self.pace.sleep((1 - tokens) / rate)
            now = self.pace.clock()
            tokens = 1.0
        self._tokens[operation] = tokens - 1
        self._stamp[operation] = now
        self.pace.calls.append((now, operation))

    def penalise(self, operation: str) -> None:
        """After a 429 the bucket is empty: Amazon counted more than we did."""
        self._tokens[operation] = 0.0
        self._stamp[operation] = self.pace.clock()


def endpoints() -> tuple[str | None, str | None]:
    """The SP-API and LWA addresses set in the environment (None: Amazon's own)."""
    return (os.environ.get("FBA_HEALTH_SPAPI_ENDPOINT") or None, os.environ.get("FBA_HEALTH_LWA_ENDPOINT") or None)


def _retry_after(headers) -> float | None:
    try:
        value = (headers or {}).get("retry-after") or (headers or {}).get("Retry-After")
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class ReportsApi:
    """The three report operations a sync needs, paced and retried, over the real library client."""

    def __init__(self, credentials: dict, marketplace: str, *, limiter: RateLimiter | None = None):
        from sp_api.api import Reports
        from sp_api.base import Marketplaces
        self.limiter = limiter or RateLimiter()
        self.requests = 0  # every HTTP request made to the Reports API (retries included)
        self._client = Reports(marketplace=Marketplaces[marketplace], credentials=credentials)
        spapi, lwa = endpoints()
        if spapi:
            self._client.endpoint = spapi.rstrip("/")
        if lwa:
            parts = urlsplit(lwa)
            self._client._auth.scheme = f"{parts.scheme}://"
            self._client._auth.host = parts.netloc

    def close(self) -> None:
        self._client.close()

    def _where(self) -> str:
        """The host the requests go to (never a token: the address carries none)."""
        return urlsplit(self._client.endpoint).netloc or self._client.endpoint

    def _call(self, operation: str, function, *args, **kwargs):
        from sp_api.auth.exceptions import AuthorizationError
        from sp_api.base.exceptions import SellingApiException
        delay = BACKOFF_START_S
        for attempt in range(1, MAX_ATTEMPTS + 1):
            self.limiter.acquire(operation)
            self.requests += 1
            try:
                return function(*args, **kwargs).payload
            except AuthorizationError as refused:
                raise CredentialsRefused("Amazon refused the credentials (Login with Amazon said: "
                                 f"{_safe(refused)}): check the refresh token, client id and secret.") from None
            except SellingApiException as error:
                code = getattr(error, "code", 0)
                if (code == 429 or code >= 500) and attempt < MAX_ATTEMPTS:
                    if code == 429:
                        self.limiter.penalise(operation)
                    wait = _retry_after(error.headers)
                    self.limiter.pace.sleep(wait if wait is not None else delay)
                    delay *= 2
                    continue
                message = getattr(error, "message", None) or "no reason given"
                if code == 429:
                    raise SpapiError(f"Amazon kept refusing {operation} as too frequent after "
                                     f"{MAX_ATTEMPTS} tries; run the sync again later.") from None
                if code == 403:
                    raise SpapiError("Amazon refused access to the reports (403): the app needs the "
                                     f"Inventory and Order Tracking role. Amazon said: {message}") from None
                raise SpapiError(f"Amazon answered {code} to {operation}: {message}") from None
            except (OSError, httpx.TransportError):  # network down, refused connection, DNS, timeout
                # httpx's errors are not OSErrors: without them a refused connection was a traceback.
                if attempt < MAX_ATTEMPTS:
                    self.limiter.pace.sleep(delay)
                    delay *= 2
                    continue
                raise AmazonUnreachable(f"Amazon could not be reached at {self._where()} after {MAX_ATTEMPTS} tries "
                                        "(a network error): check the internet connection and run the sync "
                                        "again: it resumes where this one stopped.") from None
        raise AssertionError("unreachable")

    def create_report(self, report_type: str, start=None, end=None) -> str:
        kwargs = {"reportType": report_type}
        if start is not None:
            kwargs["dataStartTime"] = start.isoformat()
        if end is not None:
            kwargs["dataEndTime"] = end.isoformat()
        return self._call("createReport", self._client.create_report, **kwargs)["reportId"]

    def get_report(self, report_id: str) -> dict:
        return self._call("getReport", self._client.get_report, report_id)

    def get_report_document(self, document_id: str) -> dict:
        return self._call("getReportDocument", self._client.get_report_document, document_id)


def _safe(error) -> str:
    """What LWA said, without anything that could be a credential."""
    text = " ".join(str(a) for a in getattr(error, "args", ())[:2] if a)
    return text[:200] or "no reason given"


def download(url: str, compression: str | None, target: Path, *, timeout: float = 120.0) -> int:
    """Stream a report document to ``target``, gunzipping on the way; returns the bytes written.

    The document is written to ``target``.part and renamed when complete, so a killed download leaves
    no half file under the final name.
    """
    import httpx
    part = target.with_name(target.name + ".part")
    inflate = zlib.decompressobj(15 + 32) if (compression or "").upper() == "GZIP" else None
    written = 0
    try:
        with httpx.stream("GET", url, timeout=timeout) as response, open(part, "wb") as out:
            if response.status_code != 200:
                raise SpapiError(f"The report document could not be downloaded (Amazon answered "
                                 f"{response.status_code}); run the sync again to retry.")
            for chunk in response.iter_bytes(CHUNK):
                data = inflate.decompress(chunk, CHUNK * 64) if inflate else chunk
                while inflate and inflate.unconsumed_tail:
                    out.write(data)
                    written += len(data)
                    data = inflate.decompress(inflate.unconsumed_tail, CHUNK * 64)
                out.write(data)
                written += len(data)
            if inflate:
                tail = inflate.flush()
                out.write(tail)
                written += len(tail)
    except httpx.HTTPError:
        part.unlink(missing_ok=True)
        raise SpapiError("The report document download was cut off; run the sync again to retry.") from None
    except zlib.error:
        part.unlink(missing_ok=True)
        raise SpapiError("The report document Amazon sent is not a valid gzip file; run the sync again.") from None
    os.replace(part, target)
    return written
