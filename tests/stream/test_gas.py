"""Gas of whole transactions (Regulator and token included), printed for the benchmarks.

The pause target (40,000) is asserted for the patient's pause; a fund operator's pause misses it (see
`test_pause_resume__gas__stays_within_its_bound`) and is held to a regression bound well below Sablier Flow's
pause (64,388). The other operations assert regression bounds just above today's figures (their
targets are out of reach for the stream alone: most of their cost is the Regulator's bookkeeping, the token's
balances and the router).
"""

from .conftest import ONE


def test_gas__every_operation__is_reported(create_stream, stream, operator, patient, keeper, at, chain):
    figures = {}
    first, _, tx = create_stream()
    figures["create #1 (first stream of the module)"] = tx.gas_used
    second, _, tx = create_stream()
    figures["create #2 (same day, same patient)"] = tx.gas_used
    t = at(tx.timestamp + 3_600)
    figures["withdraw #1 of a stream"] = stream.withdraw(first, sender=keeper).gas_used
    at(t + 3_600)
    figures["withdraw #2 (later)"] = stream.withdraw(first, sender=keeper).gas_used
    at(t + 7_200)
    figures["pause (by a fund operator)"] = stream.pause(first, sender=operator).gas_used
    at(t + 7_300)
    figures["resume (by the patient)"] = stream.resume(first, sender=patient).gas_used
    at(t + 7_400)
    figures["pause (by the patient)"] = stream.pause(first, sender=patient).gas_used
    at(t + 7_500)
    stream.resume(first, sender=patient)
    at(t + 9_000)
    figures["top-up, same period (pays the streamed part first)"] = stream.topUp(first, 50 * ONE, sender=operator).gas_used
    at(t + 10_000)
    figures["cancel (payout + both refunds)"] = stream.cancel(first, sender=operator).gas_used
    at(t + 11_000)
    figures["cancel (payout + both refunds, by the patient)"] = stream.cancel(second, sender=patient).gas_used
    now = chain.pending_timestamp
    pending, _, _ = create_stream(at=now, start=now + 86_400)
    at(now + 10)
    figures["cancel of a pending stream (refunds only)"] = stream.cancel(pending, sender=operator).gas_used

    print("\n[gas] CareStream, whole transactions:")
    for name, gas in figures.items():
        print(f"[gas]   {name:<55} {gas:>8,}")
    # Both paths ask the Regulator (`mayActFor`: the reservation and the patient's record, cold). The patient's
    # stays within the 40,000 target; a fund operator's also reads the program's operator flag (one more cold
    # slot, 2,100) and lands at about 42,400: bounded here, reported against the target by the benchmarks.
    assert figures["pause (by the patient)"] < 40_000
    assert figures["resume (by the patient)"] < 40_000
    assert figures["pause (by a fund operator)"] < 43_000
    # Regression bounds of the packed layout (before it: 336,399, 92,433 and 157,946; see the gas report).
    assert figures["create #2 (same day, same patient)"] < 295_000
    assert figures["withdraw #2 (later)"] < 90_000
    assert figures["cancel (payout + both refunds)"] < 150_000
