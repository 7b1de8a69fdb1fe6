"""A seeded random walk over the whole suite, sent through web3, for verify's false-alarm test.

Actions of every kind (streams, episodes, fee-for-service payments, splits, Regulator and token freezes, time jumps across
periods) with callers chosen among the accounts allowed to act; an action the contracts refuse reverts
and leaves nothing behind, so the walk just goes on.
"""

from web3.exceptions import ContractLogicError

from .verify_history import CHRONIC, DAY, DIGITAL_TWIN, UNIT, _stream_params, _terms

from carepay import artifacts, codes


def _plain(value):
    """Ape accounts and contracts as addresses, recursively, for web3."""
    if hasattr(value, "address"):
        return str(value.address)
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


class Walk:
    """Sends each action straight through web3 (a refused one costs one eth_estimateGas, not a trace)."""

    def __init__(self, history, chain, w3, rng):
        self.h, self.chain, self.w3, self.rng = history, chain, w3, rng
        self.contracts = {
            name: w3.eth.contract(address=address, abi=artifacts.load(name).abi)
            for name, address in history.addresses().items()
        }
        self.episodes = list(history.episodes.values())

    def send(self, contract, function, *args, sender):
        call = getattr(self.contracts[contract].functions, function)(*_plain(args))
        self.w3.eth.wait_for_transaction_receipt(call.transact({"from": _plain(sender)}))

    def actions(self):
        h, rng = self.h, self.rng
        payers = [h.fund, *h.patients]

        def stream_id():
            return rng.randrange(1, self.contracts["CareStream"].functions.nextStreamId().call())

        def episode():
            """Mostly an active episode (ended ones refuse everything but payOwed)."""
            escrow = self.contracts["OutcomeEscrow"].functions
            active = [e for e in self.episodes if escrow.getEpisode(e[0]).call()[2][0] == 1]
            return rng.choice(active if active and rng.random() < 0.9 else self.episodes)

        def stream_caller(streamed):
            """The stream's sender or its patient's account: both keep their roles in this history, so both may
            change it (rights follow the current roles: `IRegulator.mayActFor`)."""
            record = self.contracts["CareStream"].functions.getStream(streamed).call()
            patient = h.patients[h.patient_ids.index(record[4])]  # (accrual, sender, programId, reservationId, patientId, ...)
            return rng.choice([record[1], str(patient.address)])

        def claim_refunds(account):
            """Both modules' held refunds of one payer (one action, so the seeds' walks keep their draws)."""
            if self.contracts["OutcomeEscrow"].functions.heldRefundOf(_plain(account)).call() > 0:
                try:
                    self.send("OutcomeEscrow", "claimRefund", account, sender=h.admin)
                except ContractLogicError:
                    pass  # the account is still frozen in the token: the refund stays held
            self.send("CareStream", "claimRefund", account, sender=h.admin)

        def on_stream(function, *args):
            streamed = stream_id()
            self.send("CareStream", function, streamed, *args, sender=stream_caller(streamed))

        def on_episode(function, *args, sender=None):
            episode_id, terms = episode()
            if sender is None:  # an attestor named in the terms; a payer of the episode
                named = terms[4][0][0] if function == "attest" else str(h.patients[h.patient_ids.index(terms[1])].address)
                sender = rng.choice([named, h.fund]) if function == "dispute" else named
            self.send("OutcomeEscrow", function, episode_id, terms, *args, sender=sender)

        def create_stream():
            p, i = rng.randrange(2), 0  # chronic care is same-region only: both patients are in institution A's
            deposit = rng.randrange(1, 400) * UNIT + rng.randrange(UNIT)
            self.send("CareStream", "create", _stream_params(h, p, i, deposit), sender=rng.choice([h.fund, h.patients[p]]))

        def create_episode():
            p, i = rng.randrange(2), rng.randrange(2)
            amounts = [rng.randrange(1, 200) * UNIT + rng.randrange(UNIT) for _ in range(rng.randrange(1, 4))]
            terms = _plain(_terms(h, self.chain, p, i, amounts, gap=rng.choice([2, 6, 12]) * DAY))
            episode_id = self.contracts["OutcomeEscrow"].functions.nextEpisodeId().call()
            params = (h.institutions[i], h.practitioners[i], DIGITAL_TWIN, terms)
            self.send("OutcomeEscrow", "createEpisode", params, sender=rng.choice([h.fund, h.patients[p]]))
            self.episodes.append((episode_id, terms))

        def pay_for_service():
            """A follow-up visit at institution A, paid at once by the patient or the fund."""
            p = rng.randrange(2)
            charge = rng.randrange(1, 80) * UNIT + rng.randrange(UNIT)
            visit = (h.program_id, h.patient_ids[p], h.institutions[0], h.practitioners[0], CHRONIC, h.splits[0], charge,
                     codes.evidence_hash(f"walk-visit-{charge}".encode()))
            self.send("FeeForService", "pay", visit, sender=rng.choice([h.fund, h.patients[p]]))

        return [
            create_stream,
            create_stream,
            create_episode,
            create_episode,
            create_episode,
            lambda: on_stream("topUp", rng.randrange(1, 200) * UNIT + 7),
            lambda: self.send("CareStream", "withdraw", stream_id(), sender=h.admin),
            lambda: on_stream("pause"),
            lambda: on_stream("resume"),
            lambda: on_stream("cancel"),
            lambda: claim_refunds(rng.choice(payers)),
            lambda: on_episode("attest", rng.randrange(3), b"\x07" * 32),
            lambda: on_episode("attest", rng.randrange(3), b"\x07" * 32),
            lambda: on_episode("settle", sender=h.admin),
            lambda: on_episode("dispute", b"\x08" * 32),
            lambda: on_episode("resolve", rng.randrange(3), b"\x09" * 32, sender=h.arbiter),
            lambda: on_episode("refundExpired", sender=h.admin),
            lambda: on_episode("payOwed", sender=h.admin),
            lambda: self.send("SplitRouter", "withdraw", rng.choice(h.splits), rng.choice(h.split_recipients[0] + h.split_recipients[1]), sender=h.admin),
            lambda: self.send("SplitRouter", "distribute", rng.choice(h.splits), sender=h.admin),
            lambda: self.send("Regulator", "setInstitutionFrozen", rng.choice(h.institutions), rng.random() < 0.3, sender=h.supervisor),
            lambda: self.send("Regulator", "setProgramFrozen", h.program_id, rng.random() < 0.15, sender=h.supervisor),
            lambda: self.send("CareUSD", rng.choice(["freeze", "unfreeze"]), rng.choice(payers), sender=h.admin),
            lambda: setattr(self.chain, "pending_timestamp", self.chain.pending_timestamp + rng.choice([3_600, DAY, 3 * DAY, 17 * DAY])),
            pay_for_service,
            pay_for_service,
        ]
