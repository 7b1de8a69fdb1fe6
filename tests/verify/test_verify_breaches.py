"""verify on deliberately broken states: each fails with the right invariant, item and numbers.

Each test breaks the realistic history in its own way (ape reverts the chain after each test):
CareUSD sent straight to a module around its functions, a mint to a module, storage written with
anvil_setStorageAt (a Regulator counter, a token balance), and a transfer out of a module made by
impersonating it. None of them emits a module event, so only the comparison of the events with the
chain's state can see them.
"""

import json

import pytest
from eth_abi import encode
from eth_utils import keccak, to_checksum_address
from .verify_history import FEE_FOR_SERVICE_CHARGES, UNIT

from carepay.ledger.reader import ReaderError
from carepay.verify import verify


def _verify(history, w3):
    return verify(w3, history.addresses(), history.deploy_block)


def _breaches(result, invariant, subject_part, quantity_part=""):
    return [
        b for b in result.breaches
        if b.invariant == invariant and subject_part in b.subject and quantity_part in b.quantity
    ]


def _only(result, invariant, subject_part, quantity_part=""):
    found = _breaches(result, invariant, subject_part, quantity_part)
    assert len(found) == 1, [b.message for b in result.breaches]
    return found[0]


def _mapping_slot(key_types, keys, base_slot):
    slot = base_slot
    for key_type, key in zip(key_types, keys):
        slot = int.from_bytes(keccak(encode([key_type, "uint256"], [key, slot])), "big")
    return slot


def _find_base_slot(w3, address, key_types, keys, matches, search=64):
    """The declaration slot of a mapping whose entry at `keys` holds a value satisfying `matches`."""
    for base in range(search):
        slot = _mapping_slot(key_types, keys, base)
        value = int.from_bytes(w3.eth.get_storage_at(address, slot), "big")
        if value and matches(value):
            return slot, value
    raise AssertionError(f"no mapping slot of {address} matches within {search} declarations")


def _set_storage(w3, address, slot, value):
    w3.provider.make_request("anvil_setStorageAt", [address, hex(slot), "0x" + value.to_bytes(32, "big").hex()])


def test_verify__careusd_sent_straight_to_a_module__names_the_surplus_and_the_transaction(history, w3):
    stream = history.suite.stream
    owed = history.suite.token.balanceOf(stream)

    receipt = history.suite.token.transfer(stream, 5, sender=history.patients[1])

    result = _verify(history, w3)
    assert not result.ok
    c1 = _only(result, "C1", "CareStream", "token balance")
    assert (c1.expected, c1.actual) == (owed, owed + 5)
    balance = _only(result, "X1", "CareStream", "balanceOf")
    assert (balance.expected, balance.actual) == (owed, owed + 5)
    flow = _only(result, "X1", "CareStream", "net CareUSD flow")
    assert receipt.txn_hash.lower() in flow.quantity.lower()
    assert c1.message in result.text() and result.text().startswith("verify BREACHED (4 breach(es))")
    assert (flow.expected, flow.actual) == (0, 5)
    assert "(+5 units)" in flow.message
    assert result.check("T1").status == "pass"  # the token itself is consistent


def test_verify__mint_to_a_module__breaks_the_escrow_balance_not_the_supply(history, w3):
    token, escrow, admin = history.suite.token, history.suite.escrow, history.admin
    token.configureMinter(admin, 7, sender=admin)

    token.mint(escrow, 7, sender=admin)

    result = _verify(history, w3)
    e1 = _only(result, "E1", "OutcomeEscrow", "token balance")
    assert (e1.expected, e1.actual) == (0, 7)
    assert _only(result, "X1", "OutcomeEscrow", "balanceOf").actual == 7
    assert result.check("T1").status == "pass"
    assert result.check("E1").status == "fail"


def test_verify__regulator_budget_counter_written_in_storage__breaks_r4_for_that_period(history, w3):
    regulator = history.suite.regulator
    institution = str(history.institutions[0].address)
    _, used, _ = regulator.budgetOf(history.program_id, institution, 0)
    assert used > 0
    # Budget ledgers are keyed by (program, institution number, period); institution A was registered
    # first, so it is number 1. A PeriodLedger packs `used` (low 128 bits), the budget and its flag.
    slot, word = _find_base_slot(
        w3, regulator.address, ["uint32", "uint32", "uint32"], [history.program_id, 1, 0],
        lambda value: value & (2**128 - 1) == used,
    )

    _set_storage(w3, regulator.address, slot, word + 1)  # `used` is the low 128 bits

    result = _verify(history, w3)
    breach = _only(result, "R4", f"institution {institution}", "used (sum of live reservations and charges)")
    assert "period 0" in breach.subject
    assert (breach.expected, breach.actual) == (used, used + 1)
    assert result.check("X5").status == "fail"


def test_verify__payout_freeze_count_written_in_storage__breaks_r9(history, w3):
    regulator = history.suite.regulator
    count = regulator.payoutFreezeCount()
    # Slot 3 packs programCount (bits 0-31), three more 32-bit counters and payoutFreezeCount (bits 128-191)
    # after AccessControlDefaultAdminRules' three slots (`forge inspect Regulator storageLayout`).
    slot = 3
    word = int.from_bytes(w3.eth.get_storage_at(regulator.address, slot), "big")
    assert word & (2**32 - 1) == regulator.programCount()
    assert (word >> 128) & (2**64 - 1) == count

    _set_storage(w3, regulator.address, slot, word + (1 << 128))  # one freeze that no event announced

    result = _verify(history, w3)
    breach = _only(result, "R9", "Regulator", "payoutFreezeCount")
    assert (breach.expected, breach.actual) == (count, count + 1)


def test_verify__stream_ledger_written_in_storage__names_the_stream_and_the_field(history, w3):
    stream = history.suite.stream
    stream_id = history.streams["yearly"]
    record = stream.getStream(stream_id)
    fund_out = record.ledger.fundOut
    assert fund_out >= 2
    sender = int(str(record.sender), 16)
    # A StreamRecord: slot 1 holds the sender (low 160 bits); slot 3 packs the payer ledger as four
    # 64-bit fields, fundIn (bits 0-63), patientIn (64-127), fundOut (128-191) and patientOut (192-255).
    base = next(
        b for b in range(64)
        if int.from_bytes(w3.eth.get_storage_at(stream.address, _mapping_slot(["uint256"], [stream_id], b) + 1), "big") & (2**160 - 1) == sender
    )
    ledger_slot = _mapping_slot(["uint256"], [stream_id], base) + 3
    word = int.from_bytes(w3.eth.get_storage_at(stream.address, ledger_slot), "big")
    fields = [(word >> shift) & (2**64 - 1) for shift in (0, 64, 128, 192)]
    assert fields == [record.ledger.fundIn, record.ledger.patientIn, fund_out, record.ledger.patientOut]

    _set_storage(w3, stream.address, ledger_slot, word - (2 << 128))  # the fund appears to have paid 2 units less

    result = _verify(history, w3)
    breach = _only(result, "C2", f"CareStream stream {stream_id}", "ledger fundOut")
    assert (breach.expected, breach.actual) == (fund_out, fund_out - 2)
    assert result.check("X3").status == "fail"


def test_verify__token_balance_written_in_storage__breaks_the_supply_and_the_router(history, w3):
    token, router = history.suite.token, history.suite.router
    assert token.balanceOf(router) == 0  # every split was distributed
    fund_balance = token.balanceOf(history.fund)
    balance_slot, _ = _find_base_slot(
        w3, token.address, ["address"], [str(history.fund.address)], lambda value: value == fund_balance
    )
    base = next(b for b in range(64) if _mapping_slot(["address"], [str(history.fund.address)], b) == balance_slot)

    _set_storage(w3, token.address, _mapping_slot(["address"], [str(router.address)], base), 11)

    result = _verify(history, w3)
    account = _only(result, "T1", str(router.address), "balanceOf")
    assert (account.expected, account.actual) == (0, 11)
    supply = _only(result, "T1", "CareUSD", "Σ balanceOf")
    assert (supply.expected, supply.actual) == (token.totalSupply(), token.totalSupply() + 11)  # never minted
    router_balance = _only(result, "S1", "SplitRouter", "token balance")
    assert (router_balance.expected, router_balance.actual) == (0, 11)


def test_verify__transfer_out_of_a_module_by_impersonation__names_the_shortfall(history, w3):
    token, stream = history.suite.token, history.suite.stream
    module = str(stream.address)
    owed = token.balanceOf(stream)
    thief = to_checksum_address("0x" + "be" * 20)
    w3.provider.make_request("anvil_impersonateAccount", [module])
    w3.provider.make_request("anvil_setBalance", [module, hex(10**18)])
    try:
        tx = w3.eth.send_transaction(
            {"from": module, "to": str(token.address), "data": token.transfer.encode_input(thief, 3 * UNIT)}
        )
        assert w3.eth.wait_for_transaction_receipt(tx)["status"] == 1
    finally:
        w3.provider.make_request("anvil_stopImpersonatingAccount", [module])

    result = _verify(history, w3)
    c1 = _only(result, "C1", "CareStream", "token balance")
    assert (c1.expected, c1.actual) == (owed, owed - 3 * UNIT)
    flow = _only(result, "X1", "CareStream", "net CareUSD flow")
    assert w3.to_hex(tx).lower() in flow.quantity.lower()
    assert (flow.expected, flow.actual) == (0, -3 * UNIT)
    assert "(-3000000 units)" in flow.message


def test_verify__result__serialises_to_json_with_every_check(history, w3):
    history.suite.token.transfer(history.suite.escrow, 1, sender=history.patients[0])

    document = json.loads(json.dumps(_verify(history, w3).to_dict()))

    assert document["ok"] is False
    ids = [check["id"] for check in document["checks"]]
    assert ids[:5] == ["T1", "T2", "T3", "T4", "T5"] and "X7" in ids
    assert {c["id"] for c in document["checks"] if c["status"] == "not checkable from chain data"} == {"T5", "R3", "S3", "S4"}
    assert any(b["invariant"] == "E1" and b["expected"] == 0 and b["actual"] == 1 for b in document["breaches"])


def test_verify__missing_contract_address__says_which_and_what_to_pass(history, w3):
    addresses = history.addresses()
    del addresses["Regulator"]

    with pytest.raises(ReaderError, match="lacks the address of Regulator; pass every contract of the suite"):
        verify(w3, addresses, history.deploy_block)


def test_verify__address_without_code__says_the_deployment_may_be_for_another_network(history, w3):
    addresses = history.addresses() | {"CareStream": "0x" + "12" * 20}

    with pytest.raises(ReaderError, match=r"no contract code at 0x1212.*\(CareStream\).*another network"):
        verify(w3, addresses, history.deploy_block)


def test_verify__from_block_after_the_deployment__asks_for_the_deployment_block(history, w3):
    with pytest.raises(
        ReaderError, match=r"Regulator at 0x.* already existed before block .*pass the block the suite was deployed in",
    ):
        verify(w3, history.addresses(), history.deploy_block + 5)


def test_verify__careusd_sent_to_the_fee_for_service_module__breaks_f2_with_the_surplus(history, w3):
    module = history.suite.fee_for_service
    assert _verify(history, w3).check("F2").status == "pass"

    history.suite.token.transfer(module, 4, sender=history.patients[0])

    result = _verify(history, w3)
    f2 = _only(result, "F2", f"FeeForService {module.address}", "token balance")
    assert (f2.expected, f2.actual) == (0, 4)
    assert _only(result, "X1", "FeeForService", "net CareUSD flow").actual == 4
    assert result.check("F4").status == "pass"  # the payments themselves are intact


def test_verify__fee_for_service_total_written_in_storage__breaks_f4_against_the_charges(history, w3):
    module = history.suite.fee_for_service
    total = module.totalPaid()
    assert total == FEE_FOR_SERVICE_CHARGES
    slot = next(s for s in range(8) if int.from_bytes(w3.eth.get_storage_at(module.address, s), "big") == total)

    _set_storage(w3, module.address, slot, total + 9)  # totalPaid is the module's one stored number

    result = _verify(history, w3)
    breach = _only(result, "F4", f"FeeForService {module.address}", "totalPaid()")
    assert (breach.expected, breach.actual) == (total, total + 9)
    assert "(+9 units)" in breach.message
    assert result.check("F2").status == "pass"
