"""Three test-only shortcuts around eth-ape 0.8.51 / ape-foundry 0.8.12 that change no outcome, only time.

Installed from tests/conftest.py; set CAREPAY_APE_TRACES=1 to run without them (e.g. to see the call
trace of an unexpected revert). Measured: the CareUSD role tests (137, mostly expected reverts) went
from 80 s to 22 s; a revert raised inside a nested call (stream.createWithAuthorization -> CareUSD)
from ~45 s to ~1 s under a heavily loaded machine (tests/harness/test_harness_ape_speedups.py checks
that `ape.reverts` stays exactly as strict).

1. Dev-account keys are derived once. Without coincurve, eth-keys derives a key from the mnemonic in
   pure Python (~20 ms), and ape re-derives all ten test accounts each time it asks "is this address
   one of my accounts?" - which it does for every frame of every revert's call trace.
2. A revert does not print its call trace. ape-foundry fetches the trace of every reverted transaction
   (debug_traceCall) and renders it to stdout (~0.3 s each), even inside `ape.reverts(...)` where the
   revert is the expected outcome and pytest throws the output away. The error itself is built exactly
   as before: `compiler_manager.enrich_error` decodes the custom error and its arguments, which is all
   `ape.reverts(Contract.Error, arg=...)` compares. No test here asks for a `dev_message` (the only
   check that needs the trace); ape then fetches the trace itself, lazily.
3. A custom error raised by a contract deeper than the one called (the token's ERC20InsufficientAllowance
   inside `stream.create`) is attributed as ape does it - to the target of the last CALL-family opcode
   the transaction executed (`TransactionTrace.get_addresses_used(reverse=True)`), so that
   `ape.reverts(token.Error, ...)` still checks the contract instance - but read from the raw struct
   logs fetched without memory, instead of validating every step (stack and full memory) into pydantic
   models: ~4 s per such revert. Transactions that CREATE contracts keep ape's own path.
"""

import functools
import os
import warnings

ENV_FLAG = "CAREPAY_APE_TRACES"


def install() -> bool:
    """Applies the shortcuts unless CAREPAY_APE_TRACES=1; returns whether they are active."""
    if os.environ.get(ENV_FLAG) == "1":
        return False
    with warnings.catch_warnings():
        # Importing web3 this early would surface websockets' import-time deprecation warning in every
        # run's summary; ape's own plugin loading keeps it quiet the same way.
        warnings.filterwarnings("ignore", "websockets.legacy is deprecated", DeprecationWarning)
        _cache_dev_account_keys()
        _skip_revert_trace_display()
        _fast_last_address_used()
    return True


def _cache_dev_account_keys() -> None:
    import ape_test.accounts as test_accounts

    derive = test_accounts.generate_dev_accounts
    if getattr(derive, "cache_info", None):  # already wrapped
        return

    @functools.lru_cache(maxsize=None)
    def cached(mnemonic, number_of_accounts=10, hd_path="m/44'/60'/0'/0", start_index=0):
        return tuple(derive(mnemonic, number_of_accounts, hd_path=hd_path, start_index=start_index))

    @functools.wraps(derive)
    def generate_dev_accounts(mnemonic, number_of_accounts=10, hd_path="m/44'/60'/0'/0", start_index=0):
        return list(cached(mnemonic, number_of_accounts, hd_path, start_index))

    generate_dev_accounts.cache_info = cached.cache_info
    test_accounts.generate_dev_accounts = generate_dev_accounts


def _skip_revert_trace_display() -> None:
    from ape.exceptions import ContractLogicError, TransactionError

    from ape_foundry.provider import FoundryProvider

    if getattr(FoundryProvider._handle_execution_reverted, "carepay_no_trace", False):
        return

    def _handle_execution_reverted(self, exception, revert_message=None, **kwargs):
        # ape-foundry's own method minus the trace fetch and `trace.show()` (see the module docstring).
        if revert_message == "0x":
            revert_message = TransactionError.DEFAULT_MESSAGE
        else:
            revert_message = revert_message or TransactionError.DEFAULT_MESSAGE
        if revert_message.startswith("revert: "):
            revert_message = revert_message[8:]
        error = ContractLogicError(base_err=exception, revert_message=revert_message, **kwargs)
        return self.compiler_manager.enrich_error(error)

    _handle_execution_reverted.carepay_no_trace = True
    FoundryProvider._handle_execution_reverted = _handle_execution_reverted


def _fast_last_address_used() -> None:
    from ape_ethereum.trace import TransactionTrace

    calls = {"CALL", "CALLCODE", "DELEGATECALL", "STATICCALL"}  # evm-trace's CALL_OPCODES minus CREATEs

    ape_addresses_used = TransactionTrace.get_addresses_used
    if getattr(ape_addresses_used, "carepay_fast", False):
        return

    def get_addresses_used(self, reverse: bool = False):
        if not reverse:  # only the reverse walk (custom-error decoding) is on the hot path
            yield from ape_addresses_used(self, reverse=reverse)
            return
        parameters = {**self.debug_trace_transaction_parameters, "enableMemory": False}
        result = self.provider.make_request("debug_traceTransaction", [self.transaction_hash, parameters])
        steps = result.get("structLogs", [])
        if any("CREATE" in step.get("op", "") for step in steps):
            # ape finds a CREATE's address by looking ahead; keep its exact walk for these.
            yield from ape_addresses_used(self, reverse=reverse)
            return
        for step in reversed(steps):
            if step.get("op") in calls and len(step.get("stack") or ()) >= 2:
                target = int(step["stack"][-2], 16) & (2**160 - 1)  # the call's `address` operand
                yield self._ecosystem.decode_address(target.to_bytes(20, "big"))

    get_addresses_used.carepay_fast = True
    get_addresses_used.ape_original = ape_addresses_used
    TransactionTrace.get_addresses_used = get_addresses_used
