"""CareUSD rebuilt from its events: balances, supply, minter allowances, freezes, pause, authorizations.

Checks T1-T4. Balances come from `Transfer` events only, so a balance written around the token's
functions (a storage write) shows as a difference from `balanceOf`. When the token existed before
`from_block`, the balances and supply of that block are the starting point (read at `from_block - 1`).
"""

from __future__ import annotations

from collections import defaultdict

from carepay.ledger.context import ZERO_ADDRESS, Context
from carepay.ledger.reader import Event, code_before

T1 = "Total supply equals the sum of all balances; only minters mint, within their allowance, which falls by exactly what they mint."
T2 = "A frozen account neither sends nor receives (no Transfer involves it while frozen)."
T3 = "While paused, no unit moves (no Transfer between Paused and Unpaused)."
T4 = "An EIP-3009 authorization is used at most once and never after it was cancelled."


class TokenBook:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.balances: dict[str, int] = defaultdict(int)
        self.supply = 0
        self.minted = 0
        self.burned = 0
        self.allowances: dict[str, int] = {}
        self.frozen: set[str] = set()
        self.paused = False
        self.used_nonces: set[tuple[str, bytes]] = set()
        self.cancelled_nonces: set[tuple[str, bytes]] = set()
        self.pending_mints: dict[str, list[tuple[str, int]]] = defaultdict(list)  # tx -> Minted (to, amount)
        self.transfers_by_tx: dict[str, list[Event]] = defaultdict(list)
        self.baseline_block: int | None = None
        self.audit = ctx.audit
        for invariant, sentence in (("T1", T1), ("T2", T2), ("T3", T3), ("T4", T4)):
            self.audit.check(invariant, sentence)
        self._start_from_existing_state()

    def _start_from_existing_state(self) -> None:
        chain = self.ctx.chain
        token = chain.addresses["CareUSD"]
        if chain.from_block == 0 or not code_before(chain.w3, token, chain.from_block):
            return
        self.baseline_block = chain.from_block - 1
        contract = chain.contracts["CareUSD"].functions
        self.supply = contract.totalSupply().call(block_identifier=self.baseline_block)
        self.paused = contract.paused().call(block_identifier=self.baseline_block)

    def _baseline(self, address: str) -> None:
        """First sight of an account when the token predates the range: its balance then."""
        if self.baseline_block is None or address in self.balances or address == ZERO_ADDRESS:
            return
        functions = self.ctx.chain.contracts["CareUSD"].functions
        self.balances[address] = functions.balanceOf(address).call(block_identifier=self.baseline_block)
        if functions.isFrozen(address).call(block_identifier=self.baseline_block):
            self.frozen.add(address)

    def _allowance(self, minter: str) -> int:
        if minter not in self.allowances:
            self.allowances[minter] = 0
            if self.baseline_block is not None:
                functions = self.ctx.chain.contracts["CareUSD"].functions
                self.allowances[minter] = functions.minterAllowance(minter).call(block_identifier=self.baseline_block)
        return self.allowances[minter]

    def apply(self, event: Event) -> None:
        handler = getattr(self, f"_on_{event.name}", None)
        if handler is not None:
            handler(event, event.args)

    def _on_Transfer(self, event: Event, a: dict) -> None:
        source, target, value = a["from"], a["to"], a["value"]
        self._baseline(source)
        self._baseline(target)
        where = self.ctx.at(event)
        t2 = self.audit.check("T2")
        for side, account in (("sender", source), ("receiver", target)):
            if account != ZERO_ADDRESS:
                t2.holds(
                    account not in self.frozen, f"CareUSD account {self.ctx.label(account)}",
                    f"frozen {side} of a transfer", "not frozen", f"frozen, moved {value} units", where,
                )
        self.audit.check("T3").holds(
            not self.paused, "CareUSD", "transfer while paused", "no transfer", f"{value} units moved", where,
        )
        if source == ZERO_ADDRESS:
            self.supply += value
            self.minted += value
            self.pending_mints[event.tx].append((target, value))
        else:
            self.balances[source] -= value
        if target == ZERO_ADDRESS:
            self.supply -= value
            self.burned += value
        else:
            self.balances[target] += value
        self.transfers_by_tx[event.tx].append(event)

    def _on_Minted(self, event: Event, a: dict) -> None:
        minter, target, amount = a["minter"], a["to"], a["amount"]
        t1 = self.audit.check("T1")
        allowance = self._allowance(minter)
        t1.holds(
            amount <= allowance, f"CareUSD minter {self.ctx.label(minter)}", "mint within allowance", f"<= {allowance}",
            amount, self.ctx.at(event),
        )
        self.allowances[minter] = allowance - amount
        mints = self.pending_mints[event.tx]
        t1.holds(
            (target, amount) in mints, f"CareUSD minter {self.ctx.label(minter)}", "Minted matches a Transfer from 0",
            f"Transfer(0 -> {target}, {amount})", "none in the transaction", self.ctx.at(event),
        )
        if (target, amount) in mints:
            mints.remove((target, amount))

    def _on_MinterConfigured(self, event: Event, a: dict) -> None:
        self.allowances[a["minter"]] = a["allowance"]

    def _on_MinterRemoved(self, event: Event, a: dict) -> None:
        self.allowances[a["minter"]] = 0

    def _on_AccountFrozen(self, event: Event, a: dict) -> None:
        self.frozen.add(a["account"])

    def _on_AccountUnfrozen(self, event: Event, a: dict) -> None:
        self.frozen.discard(a["account"])

    def _on_Paused(self, event: Event, a: dict) -> None:
        self.paused = True

    def _on_Unpaused(self, event: Event, a: dict) -> None:
        self.paused = False

    def _on_AuthorizationUsed(self, event: Event, a: dict) -> None:
        key = (a["authorizer"], a["nonce"])
        subject = f"CareUSD authorization of {self.ctx.label(a['authorizer'])} nonce 0x{a['nonce'].hex()}"
        t4 = self.audit.check("T4")
        t4.holds(key not in self.used_nonces, subject, "uses", 1, 2, self.ctx.at(event))
        t4.holds(
            key not in self.cancelled_nonces, subject, "used after cancellation", "never", "used", self.ctx.at(event),
        )
        self.used_nonces.add(key)

    def _on_AuthorizationCanceled(self, event: Event, a: dict) -> None:
        self.cancelled_nonces.add((a["authorizer"], a["nonce"]))

    def finish(self) -> None:
        ctx, view = self.ctx, self.ctx.chain.view
        t1 = self.audit.check("T1")
        for tx, mints in self.pending_mints.items():
            for target, amount in mints:
                t1.holds(
                    False, f"CareUSD mint to {ctx.label(target)}", "Minted event by a minter", f"Minted({amount})",
                    "none", f"tx {tx}",
                )
        on_chain = {account: view("CareUSD", "balanceOf", account) for account in self.balances}
        for account, balance in sorted(self.balances.items()):
            t1.equal(
                f"CareUSD account {ctx.label(account)}", "balanceOf (rebuilt from Transfer events)", balance,
                on_chain[account],
            )
        total_supply = view("CareUSD", "totalSupply")
        t1.equal(
            "CareUSD", "Σ balanceOf of every account that ever held units, against totalSupply", total_supply,
            sum(on_chain.values()),
        )
        t1.equal(
            "CareUSD", "totalSupply (sum of balances rebuilt from Transfer events)", sum(self.balances.values()),
            total_supply,
        )
        t1.equal("CareUSD", "totalSupply (mints - burns)", self.supply, total_supply)
        for minter, allowance in sorted(self.allowances.items()):
            t1.equal(
                f"CareUSD minter {ctx.label(minter)}", "minterAllowance (configured - minted)", allowance,
                view("CareUSD", "minterAllowance", minter),
            )
        t1.figure("totalSupply", total_supply)
        t1.figure("sum of balances", sum(self.balances.values()))
        t1.figure("minted", self.minted)
        t1.figure("burned", self.burned)
        t1.figure("accounts", len(self.balances))
        t2 = self.audit.check("T2")
        for account in sorted(set(self.balances) | self.frozen):
            t2.equal(
                f"CareUSD account {ctx.label(account)}", "isFrozen (from freeze events)", account in self.frozen,
                view("CareUSD", "isFrozen", account),
            )
        t2.figure("frozen now", len(self.frozen))
        self.audit.check("T3").equal(
            "CareUSD", "paused (from Paused/Unpaused events)", self.paused, view("CareUSD", "paused"),
        )
        self.audit.check("T4").figure("authorizations used", len(self.used_nonces))
        self.audit.partly("T2", "refused approvals and allowance spending by frozen accounts leave no event")
        self.audit.partly(
            "T4", "signatures and validity windows are checked by the token when used; a refused one leaves no event",
        )

    def net_flow(self, tx: str, address: str) -> int:
        """Units that entered `address` minus units that left it in one transaction."""
        flow = 0
        for event in self.transfers_by_tx.get(tx, []):
            if event.args["to"] == address:
                flow += event.args["value"]
            if event.args["from"] == address:
                flow -= event.args["value"]
        return flow
