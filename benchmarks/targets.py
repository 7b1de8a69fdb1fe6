"""The issue's targets (model systems measured on anvil prague with a 6-decimal OpenZeppelin token), each
matched with the CarePay figure it is judged by, and for a missed target where the gas goes and what it
would take, computed from the measured figures so the text stays true when the contracts change."""

from __future__ import annotations

from typing import Any

GAS_TARGETS = [
    # (operation, model system and its gas, the model's gas, target, the figure's key in the function catalog)
    ("create and fund a stream", "Sablier Flow createAndDeposit 162,574", 162_574, 150_000, "CareStream.create"),
    ("withdraw from a stream (later withdraw)", "Sablier Flow withdraw 87,689", 87_689, 75_000, "CareStream.withdraw"),
    ("pause a stream", "Sablier Flow pause 64,388", 64_388, 40_000, "CareStream.pause"),
    ("cancel a stream with refund", "Sablier Lockup cancel 98,047", 98_047, 95_000, "CareStream.cancel"),
    ("fund a milestone escrow", "Sablier Lockup create 200,995", 200_995, 180_000, "OutcomeEscrow.createEpisode"),
]
SPLIT_MODEL = "0xSplits v2: 27,600 first time, 9,400 later"
SPLIT_MODEL_LATER = 9_400  # per recipient already seen: the cheaper of the two
SPLIT_TARGET = 1_000
OVERHEAD_TARGET = 20_000
DRIVER_TARGET = 250  # payments per second
MAKE_TEST_TARGET = 300  # seconds


def _rows(functions: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for r in functions}


def _why(key: str, gas: int, target: int, rows: dict[str, dict[str, Any]], baselines: dict[str, dict[str, Any]]) -> str:
    reserve = rows["Regulator.reserve"]["execution_gas"]
    pull = baselines["baseline.transferFrom.unlimited"]["execution_gas"]
    split_pay = rows["SplitRouter.pay"]["execution_gas"]
    release = rows["Regulator.release"]["execution_gas"]
    row = rows[key]
    rest = lambda *parts: row["execution_gas"] - sum(parts)  # noqa: E731
    gap = gas - target
    if key == "CareStream.create":
        return (f"{gap:,} over. Execution {row['execution_gas']:,} = the reservation (Regulator.reserve alone: "
                f"{reserve:,}) + two payer pulls (transferFrom {pull:,} each) + {rest(reserve, 2 * pull):,} for the "
                f"stream record, the module's checks, the call overheads and the events. Sablier writes one stream and "
                f"does one transfer. It would take fewer new storage slots per claim (each costs 22,100: the Regulator's "
                f"reservation record and the stream record), and a smaller Reserved event than the whole claim "
                f"(a zero share is already never pulled). See \"Beating the model systems\" for the changes, each "
                f"priced, that Sablier's figure would take.")
    if key == "CareStream.withdraw":
        return (f"{gap:,} over (Sablier Flow's 87,689 is beaten). Execution {row['execution_gas']:,} = SplitRouter.pay "
                f"({split_pay:,} when an account pays it directly: the router's transferFrom from the module and its "
                f"balance checks) + {rest(split_pay):,} for Regulator.checkPayout (a cold call reading the reservation and "
                f"payoutFreezeCount; the program and institution records only while something is frozen), the stream's "
                f"accrual, sender, split and ledger slots (cold reads, the ledger rewritten) and the Withdrawn event. "
                f"Below 75,000 would take paying the split without a second contract hop (the router's pull and balance "
                f"checks are ~{split_pay - 22_000:,} above a plain transfer) or the stream's slots read warm.")
    if key == "CareStream.cancel":
        return (f"{gap:,} over. Execution {row['execution_gas']:,} includes Regulator.release ({release:,} alone), "
                f"the payout through SplitRouter.pay ({split_pay:,}), two refund transfers and a checkPayout; Sablier's "
                f"cancel refunds one sender and has nothing to release. It would take a release that touches fewer "
                f"slots and one refund transfer when only one payer put money in (see \"Beating the model systems\").")
    if key == "OutcomeEscrow.createEpisode":
        return (f"{gap:,} over. Execution {row['execution_gas']:,} = Regulator.reserve ({reserve:,} alone) + two pulls "
                f"({pull:,} each) + {rest(reserve, 2 * pull):,} for term validation, 3 episode slots and EpisodeCreated "
                f"with the full terms. It would take a cheaper reservation (see stream creation) and a smaller event (see \"Beating the "
                f"model systems\").")
    if key == "CareStream.pause":
        patient = rows.get("CareStream.pause.by_patient", {}).get("gas")
        return (f"{gap:,} over (Sablier Flow's 64,388 is beaten). Rights follow the parties' current roles (a removed "
                f"fund operator or a patient's old account may no longer pause): one static call to the Regulator "
                f"(cold account) reading the reservation, the patient's record and, for a fund operator, its operator "
                f"flag (cold slots), then one accrual slot and the event"
                + (f"; the patient's own pause is {patient:,}" if patient else "") +
                ". Under 40,000 for operators would take the operator flag read warm (e.g. kept in the stream, which "
                "would bring the stale-rights problem back).")
    return f"{gap:,} over."


def evaluate(functions: list[dict[str, Any]], baselines: list[dict[str, Any]], splits: dict[str, Any],
             overhead: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows, base = _rows(functions), _rows(baselines)
    result = []
    for operation, model, model_gas, target, key in GAS_TARGETS:
        gas = rows[key]["gas"]
        met = gas < target
        result.append({"operation": operation, "model": model, "target": target, "carepay": gas, "figure": key,
                       "met": met, "model_gas": model_gas, "beats_model": gas < model_gas,
                       "includes": rows[key]["includes"],
                       "why_missed": None if met else _why(key, gas, target, rows, base)})
    slope = splits["slope_per_recipient"]
    result.append({"operation": "pay into a split, per extra recipient", "model": SPLIT_MODEL, "target": SPLIT_TARGET,
                   "carepay": slope["pay"], "figure": "split.N.pay slope", "met": abs(slope["pay"]) < SPLIT_TARGET,
                   "model_gas": SPLIT_MODEL_LATER, "beats_model": abs(slope["pay"]) < SPLIT_MODEL_LATER,
                   "includes": "SplitRouter.pay is O(1): lazy accounting, nothing per recipient until a claim",
                   "why_missed": None})
    for pair in overhead:
        if "error" in pair:
            continue
        met = pair["overhead"] < OVERHEAD_TARGET
        result.append({"operation": "supervision overhead per payment: " + pair["name"], "model": "none supervise",
                       "target": OVERHEAD_TARGET, "carepay": pair["overhead"], "figure": "overhead", "met": met,
                       "model_gas": None, "beats_model": None,
                       "includes": pair["what"],
                       "why_missed": None if met else f"{pair['overhead'] - OVERHEAD_TARGET:,} over. " + pair["why"]})
    return result
