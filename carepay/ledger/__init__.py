"""The suite's history rebuilt from its events alone, one book per contract, for `verify` and `report`.

`read_chain` fetches and decodes the events (web3.py `get_logs` in block ranges, ABIs from
`carepay.artifacts`); `replay` runs them through the books, which check each invariant as they go
and compare the rebuilt state with the chain's views at the end.
"""

from carepay.ledger.reader import ChainData, Event, ReaderError, read_chain
from carepay.ledger.replay import Replay, replay

__all__ = ["ChainData", "Event", "ReaderError", "Replay", "read_chain", "replay"]
