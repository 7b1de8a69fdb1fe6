"""A plain JSON-RPC client: one call, or many calls in few HTTP requests, on a keep-alive session.

The driver's sender and the benchmark harness both talk to anvil through it instead of web3's provider,
because web3 adds a lookup and middleware per request and cannot send a JSON-RPC batch of thousands of
transactions; at hundreds of requests per second that overhead is most of the time.
"""

from __future__ import annotations

import itertools
from typing import Any

import requests

from carepay.errors import NetworkError

RPC_CHUNK = 500  # requests per JSON-RPC batch


class RpcError(Exception):
    """The node answered with an error; `data` is the revert data when it sent any."""

    def __init__(self, method: str, error: dict[str, Any]):
        self.method, self.error = method, error
        data = error.get("data")
        self.data = data.get("data") if isinstance(data, dict) else data
        super().__init__(f"{method}: {error.get('message', error)}")


class RpcClient:
    def __init__(self, url: str, timeout: float = 120):
        self.url, self.timeout = url, timeout
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy lookup per request (measurable at hundreds per second)
        self._ids = itertools.count(1)

    def _post(self, payload: Any) -> Any:
        try:
            response = self.session.post(self.url, json=payload, timeout=self.timeout)
            response.raise_for_status()
            return response.json()
        except requests.RequestException as error:
            raise NetworkError(f"the RPC endpoint {self.url} failed ({str(error)[:160]}); check that the node still runs") from None

    def call(self, method: str, *params: Any) -> Any:
        """The result of one call; raises RpcError when the node answers with an error."""
        return result_of(method, self._post({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": list(params)}))

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        """Many calls in few HTTP requests; each answer is {"result": ...} or {"error": ...}, in order."""
        answers: list[dict[str, Any]] = []
        for start in range(0, len(calls), RPC_CHUNK):
            chunk = calls[start : start + RPC_CHUNK]
            ids = [next(self._ids) for _ in chunk]
            payload = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in zip(ids, chunk)]
            by_id = {item["id"]: item for item in self._post(payload)}
            answers.extend(by_id[i] for i in ids)
        return answers

    def close(self) -> None:
        self.session.close()


class ProviderClient:
    """The same interface over a web3 provider that has no HTTP URL (IPC, or an ape provider's own)."""

    def __init__(self, provider: Any):
        self.provider, self.url = provider, ""

    def call(self, method: str, *params: Any) -> Any:
        return result_of(method, self.provider.make_request(method, list(params)))

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        return [self.provider.make_request(m, p) for m, p in calls]

    def close(self) -> None:
        pass


def result_of(method: str, answer: dict[str, Any]) -> Any:
    if "error" in answer:
        raise RpcError(method, answer["error"])
    return answer["result"]


def client_for(w3: Any) -> RpcClient | ProviderClient:
    url = str(getattr(w3.provider, "endpoint_uri", "") or "")
    return RpcClient(url) if url else ProviderClient(w3.provider)
