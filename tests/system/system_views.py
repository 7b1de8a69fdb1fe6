"""Fast, batched reads of the suite's state for the invariants.

The invariants read about a hundred views after every step; through ape each struct view costs ~20 ms
(ABI decoding), through web3.py ~5 ms, and in one JSON-RPC batch ~2 ms. So the machine builds web3.py
contract objects from the same ABIs ape compiled and reads everything it needs in one batch per step.
Results come back as named tuples (`decode_tuples=True`), field names as in the Solidity structs.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def web3_contract(web3, ape_contract):
    abi = [item.model_dump(mode="json", by_alias=True) for item in ape_contract.contract_type.abi]
    return web3.eth.contract(address=str(ape_contract.address), abi=abi, decode_tuples=True)


@dataclass
class Observation:
    """One consistent reading of the chain (all calls in one batch at the same block)."""

    balances: dict[str, int] = field(default_factory=dict)
    total_supply: int = 0
    held_refunds: dict[str, int] = field(default_factory=dict)  # CareStream's, per payer account
    escrow_held_refunds: dict[str, int] = field(default_factory=dict)  # OutcomeEscrow's, per payer account
    streams: dict[int, tuple] = field(default_factory=dict)
    episodes: dict[int, tuple] = field(default_factory=dict)
    reservations: dict[int, tuple] = field(default_factory=dict)
    reservation_count: int = 0
    next_stream_id: int = 0
    next_episode_id: int = 0
    fee_for_service_total_paid: int = 0
    budgets: dict[tuple, tuple] = field(default_factory=dict)  # (institution, period) -> (budget, used, remaining)
    usage: dict[tuple, tuple] = field(default_factory=dict)  # (patient, service, period) -> (met, fundUsed)
    total_received: dict[int, int] = field(default_factory=dict)
    settled_received: dict[int, int] = field(default_factory=dict)
    entitlements: dict[tuple, int] = field(default_factory=dict)  # (split, recipient index) -> units
    claimed: dict[tuple, int] = field(default_factory=dict)


class ChainViews:
    def __init__(self, web3, suite):
        self.web3 = web3
        self.token = web3_contract(web3, suite.token)
        self.regulator = web3_contract(web3, suite.regulator)
        self.router = web3_contract(web3, suite.router)
        self.stream = web3_contract(web3, suite.stream)
        self.escrow = web3_contract(web3, suite.escrow)
        self.fee_for_service = web3_contract(web3, suite.fee_for_service)

    def observe(self, world, stream_ids, episode_ids, budget_keys, usage_keys) -> Observation:
        """Reads every view the invariants use. Keys name what to read; indices refer to `world`."""
        reads = []  # (setter, contract function)

        def add(store, key, call):
            reads.append((store, key, call))

        obs = Observation()
        for account in world.tracked:
            add(obs.balances, account, self.token.functions.balanceOf(account))
        add(obs.__dict__, "total_supply", self.token.functions.totalSupply())
        for account in [str(world.fund.address), *(str(p.address) for p in world.patients)]:
            add(obs.held_refunds, account, self.stream.functions.heldRefundOf(account))
            add(obs.escrow_held_refunds, account, self.escrow.functions.heldRefundOf(account))
        add(obs.__dict__, "reservation_count", self.regulator.functions.reservationCount())
        add(obs.__dict__, "next_stream_id", self.stream.functions.nextStreamId())
        add(obs.__dict__, "next_episode_id", self.escrow.functions.nextEpisodeId())
        add(obs.__dict__, "fee_for_service_total_paid", self.fee_for_service.functions.totalPaid())
        for stream_id in stream_ids:
            add(obs.streams, stream_id, self.stream.functions.getStream(stream_id))
        for episode_id in episode_ids:
            add(obs.episodes, episode_id, self.escrow.functions.getEpisode(episode_id))
        for institution, period in budget_keys:
            add(
                obs.budgets,
                (institution, period),
                self.regulator.functions.budgetOf(
                    world.program_id, str(world.institutions[institution].address), period
                ),
            )
        for patient, service, period in usage_keys:
            add(
                obs.usage,
                (patient, service, period),
                self.regulator.functions.patientUsage(world.program_id, world.patient_ids[patient], service, period),
            )
        for s, split_id in enumerate(world.splits):
            add(obs.total_received, s, self.router.functions.totalReceived(split_id))
            add(obs.settled_received, s, self.router.functions.settledReceived(split_id))
            for i, recipient in enumerate(world.split_recipients[s]):
                add(obs.entitlements, (s, i), self.router.functions.entitlement(split_id, recipient))
                add(obs.claimed, (s, i), self.router.functions.claimed(split_id, recipient))
        results = self._batch([call for _, _, call in reads])
        for (store, key, _), value in zip(reads, results):
            store[key] = value
        # Reservations: ids 1..count, read once the count is known.
        ids = list(range(1, obs.reservation_count + 1))
        for rid, value in zip(ids, self._batch([self.regulator.functions.getReservation(i) for i in ids])):
            obs.reservations[rid] = value
        return obs

    def _batch(self, calls):
        if not calls:
            return []
        with self.web3.batch_requests() as batch:
            for call in calls:
                batch.add(call)
            return batch.execute()
