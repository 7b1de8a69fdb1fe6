"""The shipped scenarios on a real anvil, with the money they must move (to the unit)."""


from carepay.chain import connect
from carepay.driver import scenario_file
from carepay.driver.abi import contract_abi
from carepay.driver.engine import Engine
from carepay.manifest import load_checked
from carepay.sender import Sender, Tx

UNIT = 10**6


def run(anvil, name, **population):
    chain = connect(anvil)
    sender = Sender(chain.w3, True)
    scenario = scenario_file.load(scenario_file.resolve(name))
    scenario.population.update(population)
    engine = Engine(chain, load_checked(chain.folder, chain.w3, chain.name), sender, scenario, scenario.name)
    outcome = engine.run_all()
    sender.set_automine(True)
    return engine, outcome


def view(engine, contract, fn, *args):
    abi = contract_abi(contract).fn(fn)
    return abi.decode_output(engine.sender.call(Tx(engine.admin, engine.addresses[contract], abi.encode(*args))))


def test_digital_twin_pays_milestones_at_their_settled_tiers(anvil, deployed):
    engine, outcome = run(anvil, "digital-twin")
    assert outcome.refusals == []
    # 3000 at 100%, 4000 resolved by the arbiter at 50%, 5000 partial outcome at 50%
    assert view(engine, "SplitRouter", "totalReceived", engine.splits["twin-team"])[0] == 7_500 * UNIT
    status = view(engine, "OutcomeEscrow", "getEpisode", engine.episodes["treatment"]["episode_id"])[0][2][0]
    assert status == 2  # Completed


def test_chronic_care_cancellations_settle_to_the_unit(anvil, deployed):
    engine, outcome = run(anvil, "chronic-care")
    mid = engine.journal.result("cancel-second-stream")
    assert mid["paid_to_care_team"] + mid["fund_refund"] + mid["patient_refund"] == 1_200 * UNIT
    assert 0 < mid["paid_to_care_team"] < 1_200 * UNIT and mid["held"] == 0
    final = engine.journal.result("close-year-stream")
    assert final["paid_to_care_team"] == 0 or final["paid_to_care_team"] <= 2_100 * UNIT
    assert view(engine, "OutcomeEscrow", "getEpisode", engine.episodes["hba1c-bonus"]["episode_id"])[0][2][0] == 2


def test_supervision_refusals_and_refunds_while_frozen(anvil, deployed):
    engine, outcome = run(anvil, "supervision")
    assert [r["error"].split("(")[0] for r in outcome.refusals] == [
        "Regulator_BudgetExceeded", "Regulator_CrossRegionNotAllowed", "Regulator_InstitutionFrozen"]
    cancel = engine.journal.result("refund-while-frozen")
    assert cancel["fund_refund"] + cancel["patient_refund"] > 0 and cancel["held"] > 0 and cancel["paid_to_care_team"] == 0
    assert cancel["fund_refund"] + cancel["patient_refund"] + cancel["held"] == 900 * UNIT


def test_follow_up_pays_every_visit_and_refuses_two(anvil, deployed):
    engine, outcome = run(anvil, "follow-up")
    assert [r["error"].split("(")[0] for r in outcome.refusals] == ["Regulator_ServiceNotCovered", "Regulator_DailyServiceLimitReached"]
    first = engine.journal.result("day1-patient-a")
    # 4 x 25: the first pays the 10 deductible then 70% of 15; the rest 70% each
    assert first == {"payments": 4, "fund": 10_500_000 + 3 * 17_500_000, "patient": 14_500_000 + 3 * 7_500_000}
    paid = sum(engine.journal.result(s["id"]).get("payments", 0) for s in engine.scenario.steps if s["do"] == "service_payment" and "expect_error" not in s)
    assert paid == 4 + 3 + 2 + 3 + 2 + 1


def test_population_reports_batch_and_naive_throughput(anvil, deployed):
    engine, outcome = run(anvil, "population", patients=12, institutions=2, practitioners=3, days=20, naive_days=3)
    batch, naive = outcome.payments["batch"], outcome.payments["naive"]
    inst_of = lambda k: (k % 3) % 2  # practitioner k % 3 works at institution (k % 3) % 2
    assert batch.payments + naive.payments == sum(1 for d in range(20) for k in range(12)
                                                  if (k + d) % 7 == 0 and not (d == 11 and inst_of(k) == 0))
    assert batch.gas > 0 and naive.gas > 0 and batch.seconds > 0
    # day 11 (the day after mid-year): inst-0 frozen, its patients' visits refused and not paid
    assert [r["error"].split("(")[0] for r in outcome.refusals] == ["Regulator_InstitutionFrozen", "Regulator_ServiceNotCovered"]
