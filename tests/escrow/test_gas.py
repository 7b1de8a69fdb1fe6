"""Gas of the main paths, whole transactions (21,000 base and calldata included), printed for the report.

Measured in a warm state (one episode already open, so the escrow and both payers hold balances),
which is the steady state of a running program. Reference: Sablier Lockup create is 200,995.
"""

from escrow_helpers import CHALLENGE_WINDOW, DAY, UNIT, block_time


def _report(capsys, rows):
    with capsys.disabled():
        print()
        for name, gas in rows:
            print(f"  gas  {name:<52} {gas:>9,}")


def test_gas__create_attest_settle_refund(chain, escrow, outsider, clinician, laboratory, open_episode, capsys):
    open_episode()  # warm-up: balances and the Regulator's period counters exist
    rows = []

    one = open_episode(amounts=[1_000 * UNIT])
    rows.append(("createEpisode, 1 milestone, 2 attestors, 3 tiers", one.receipt.gas_used))
    now = chain.pending_timestamp
    four = open_episode(amounts=[1_000 * UNIT] * 4, deadlines=[now + 30 * DAY * (i + 1) for i in range(4)])
    rows.append(("createEpisode, 4 milestones, 2 attestors, 3 tiers", four.receipt.gas_used))

    first = escrow.attest(four.id, four.terms, 1, b"\x01" * 32, sender=clinician)
    rows.append(("attest (1st of 2)", first.gas_used))
    second = escrow.attest(four.id, four.terms, 1, b"\x02" * 32, sender=laboratory)
    rows.append(("attest (2nd of 2: outcome reached)", second.gas_used))

    chain.pending_timestamp = block_time(chain, second) + CHALLENGE_WINDOW
    partial = escrow.settle(four.id, four.terms, sender=outsider)
    rows.append(("settle (50% tier: payout + refund, next milestone)", partial.gas_used))

    escrow.attest(four.id, four.terms, 0, b"\x01" * 32, sender=clinician)
    receipt = escrow.attest(four.id, four.terms, 0, b"\x02" * 32, sender=laboratory)
    chain.pending_timestamp = block_time(chain, receipt) + CHALLENGE_WINDOW
    full = escrow.settle(four.id, four.terms, sender=outsider)
    rows.append(("settle (100% tier: payout only, next milestone)", full.gas_used))

    chain.pending_timestamp = four.terms[3][2][1]
    refund = escrow.refundExpired(four.id, four.terms, sender=outsider)
    rows.append(("refundExpired (2 of 4 milestones left)", refund.gas_used))

    _report(capsys, rows)
    # Storage does not grow with the schedule: three more milestones cost only calldata and validation.
    assert four.receipt.gas_used - one.receipt.gas_used < 10_000
    # Regression bounds of the packed layout (before it: 304,793 and 201,209).
    assert one.receipt.gas_used < 285_000
    assert partial.gas_used < 180_000
