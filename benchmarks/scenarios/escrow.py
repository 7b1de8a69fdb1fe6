"""OutcomeEscrow: createEpisode (cold and warm, 1 to 12 milestones), attest, dispute, resolve, settle,
refundExpired (also with the patient's account frozen in CareUSD: its refund held), payOwed, claimRefund.
Episodes are opened by the fund operator; two attestors, threshold 2, tiers 100% / 50% / 0%, one-day
challenge window."""

from __future__ import annotations

from benchmarks.recorder import Recorder
from benchmarks.world import CHALLENGE_WINDOW, derived, patient_id

CREATE = ("terms validated (milestones, attestors, tiers), SplitRouter.splitExists, Regulator.reserve (11 checks, "
          "day counter, usage, ledger, 2-slot reservation), 3 episode slots (terms hash, deposits, progress), "
          "2 CareUSD transferFrom, EpisodeCreated (full terms) + Reserved + 2 Transfer")
ATTEST = "terms hash check, progress slot rewritten, Attested"
SETTLE = ("terms hash check, episode ledger and progress rewritten, Regulator.checkPayout, CareUSD approve + "
          "SplitRouter.pay (transferFrom escrow to router), MilestoneSettled + MilestoneOpened")
REFUND = "Regulator.release, CareUSD transfers to the fund and the patient"


def measure_catalog(rec: Recorder) -> None:
    w = rec.world
    e, chain = w.escrow, w.chain
    cold_patient, cold_account = patient_id("escrow-cold-patient"), derived("escrow-cold-patient", 0)
    cold_inst, cold_prac = derived("escrow-cold-institution", 0), derived("escrow-cold-practitioner", 0)
    chain.send_many(w.register_patient_calls(cold_patient, cold_account)
                    + w.register_institution_calls(cold_inst, cold_prac))

    def create(key: str, terms: tuple, case: str, includes: str, **where) -> int:
        episode = w.next_episode_id()
        rec.measure(key, w.operator, e, "createEpisode", w.episode_params(terms, **where), case=case, includes=includes)
        return episode

    def open_episode(terms: tuple) -> int:
        episode = w.next_episode_id()
        w.tx(w.operator, e, "createEpisode", w.episode_params(terms))
        return episode

    create("OutcomeEscrow.createEpisode.first", w.terms(), "first episode of the module; the patient's first claim on "
           "this service line", CREATE + "; the module's CareUSD balance and the patient's usage are new slots")
    typical_terms = w.terms()
    typical = create("OutcomeEscrow.createEpisode", typical_terms,
                     "typical: 2 milestones, same patient, institution and day as an earlier episode", CREATE)
    create("OutcomeEscrow.createEpisode.1_milestone", w.terms(milestones=1), "1 milestone (warm)", CREATE)
    create("OutcomeEscrow.createEpisode.12_milestones", w.terms(milestones=12), "12 milestones, the maximum (warm)",
           CREATE + "; only the calldata and the validation loop grow with the milestones")
    create("OutcomeEscrow.createEpisode.cold_patient", w.terms(patient=cold_patient),
           "a patient's first claim of the period", CREATE + "; the patient's usage slot is new", )
    create("OutcomeEscrow.createEpisode.cold_institution", w.terms(), "an institution's first claim of the period",
           CREATE + "; the institution's ledger and the practitioner's day counter are new",
           institution=cold_inst, practitioner=cold_prac)

    rec.measure("OutcomeEscrow.attest", w.attestor_a, e, "attest", typical, typical_terms, 0, b"\x11" * 32,
                case="typical: first of the two attestations", includes=ATTEST)
    rec.measure("OutcomeEscrow.attest.reaching", w.attestor_b, e, "attest", typical, typical_terms, 0, b"\x12" * 32,
                case="the attestation that reaches the threshold",
                includes=ATTEST + " + OutcomeAttested; the challenge window starts")
    rec.measure("OutcomeEscrow.settle", w.keeper, e, "settle", typical, typical_terms,
                at=chain.now + CHALLENGE_WINDOW, case="typical: 100% tier, opens the next milestone", includes=SETTLE)
    w.tx(w.attestor_a, e, "attest", typical, typical_terms, 1, b"\x13" * 32)
    w.tx(w.attestor_b, e, "attest", typical, typical_terms, 1, b"\x14" * 32)
    rec.measure("OutcomeEscrow.settle.partial_last", w.keeper, e, "settle", typical, typical_terms,
                at=chain.now + CHALLENGE_WINDOW, case="50% tier on the last milestone: payout and refunds",
                includes=SETTLE.replace("MilestoneOpened", "EpisodeCompleted") + "; " + REFUND)

    disputed_terms = w.terms()
    disputed = open_episode(disputed_terms)
    w.tx(w.attestor_a, e, "attest", disputed, disputed_terms, 0, b"\x21" * 32)
    w.tx(w.attestor_b, e, "attest", disputed, disputed_terms, 0, b"\x22" * 32)
    rec.measure("OutcomeEscrow.dispute", w.patient, e, "dispute", disputed, disputed_terms, b"\x23" * 32,
                case="by the patient, inside the challenge window",
                includes="terms hash check, Regulator.getPatient (payer check), progress rewritten, Disputed")
    rec.measure("OutcomeEscrow.resolve", w.arbiter, e, "resolve", disputed, disputed_terms, 1, b"\x24" * 32,
                case="the arbiter settles at the 50% tier", includes="arbiter role check (Regulator.hasRole), "
                + SETTLE + "; " + REFUND + " (the other half of the milestone), Resolved")

    expiring_terms = w.terms(milestones=1)
    expiring = open_episode(expiring_terms)
    chain.snapshot()
    try:
        rec.measure("OutcomeEscrow.refundExpired", w.keeper, e, "refundExpired", expiring, expiring_terms,
                    at=expiring_terms[3][0][1], case="no outcome before the attestation deadline",
                    includes="terms hash check, ledger and progress rewritten, EpisodeRefunded, " + REFUND)
    finally:
        chain.revert()

    owed_terms = w.terms(milestones=1)
    owed = open_episode(owed_terms)
    w.tx(w.attestor_a, e, "attest", owed, owed_terms, 0, b"\x31" * 32)
    w.tx(w.attestor_b, e, "attest", owed, owed_terms, 0, b"\x32" * 32)
    w.tx(w.supervisor, w.regulator, "setInstitutionFrozen", w.institution, True)
    rec.measure("OutcomeEscrow.settle.held", w.keeper, e, "settle", owed, owed_terms, at=chain.now + CHALLENGE_WINDOW,
                case="institution frozen: the payout is held", includes="as settle without the payout; owed slot written")
    w.tx(w.supervisor, w.regulator, "setInstitutionFrozen", w.institution, False)
    rec.measure("OutcomeEscrow.payOwed", w.keeper, e, "payOwed", owed, owed_terms,
                case="after the freeze is lifted", includes="terms hash check, Regulator.checkPayout, owed cleared, "
                "CareUSD approve + SplitRouter.pay, OwedPaid")

    held_terms = w.terms(milestones=1)
    held = open_episode(held_terms)
    w.tx(w.admin, w.token, "freeze", w.patient)
    rec.measure("OutcomeEscrow.refundExpired.patient_frozen", w.keeper, e, "refundExpired", held, held_terms,
                at=held_terms[3][0][1], case="the patient's account frozen in CareUSD: its refund is held",
                includes="as refundExpired, with the patient's transfer refused (try) and held: held-refund slot "
                "written, RefundHeld")
    w.tx(w.admin, w.token, "unfreeze", w.patient)
    rec.measure("OutcomeEscrow.claimRefund", w.patient, e, "claimRefund", w.patient,
                case="a refund held while the account was frozen in the token",
                includes="held amount cleared (refund), CareUSD transfer, RefundClaimed")
