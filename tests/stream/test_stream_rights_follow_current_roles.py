"""Security review proof (fails on the current code by design until the coordinator fixes it).

# FINDING 3: a stream's stored `sender` keeps pause/resume/cancel rights after losing the role that let it
# open the stream.

`CareStream._authorized` accepts `msg.sender == stream.sender` without asking the Regulator whether the sender
may still act for the program or the patient. A fund operator removed by the fund account
(`setFundOperator(program, operator, false)`, e.g. a case manager who left or whose key leaked), and a
patient's old account after the registrar moved the patient to a new one, can still pause, resume and cancel
every stream they opened, for its whole life. No money is stolen (refunds go to the current accounts) but the
care team's stream can be stopped by a party the fund and the registrar have already cut off.
The Regulator already refuses such a sender's top-up (`Regulator_UnauthorizedInitiator`), so the rights are
inconsistent within the same stream.
"""

import ape

from .conftest import PATIENT_ID, REGION


# FINDING 3: a stream's stored sender keeps pause/cancel rights after losing its role.
def test_finding_3__removed_fund_operator__can_no_longer_pause_the_stream(
    create_stream, stream, regulator, program_id, fund, operator
):
    stream_id, _, _ = create_stream(sender=operator)
    regulator.setFundOperator(program_id, operator, False, sender=fund)
    assert not regulator.isFundOperator(program_id, operator)

    # Its top-up is refused by the Regulator ...
    with ape.reverts(
        regulator.Regulator_UnauthorizedInitiator, programId=program_id, patientId=PATIENT_ID, initiator=operator
    ):
        stream.topUp(stream_id, 10**6, sender=operator)
    # ... but (current code) its pause succeeds; expected CareStream_Unauthorized(operator, streamId).
    with ape.reverts(stream.CareStream_Unauthorized, caller=operator, streamId=stream_id):
        stream.pause(stream_id, sender=operator)


# FINDING 3: a stream's stored sender keeps pause/cancel rights after losing its role.
def test_finding_3__patients_old_account__can_no_longer_cancel_the_stream(
    accounts, admin, create_stream, stream, regulator, program_id, patient
):
    stream_id, _, _ = create_stream(sender=patient)
    new_account = accounts.generate_test_account()
    regulator.registerPatient(PATIENT_ID, new_account, program_id, REGION, sender=admin)

    # Current code: the old account's cancel succeeds; expected CareStream_Unauthorized(oldAccount, streamId).
    with ape.reverts(stream.CareStream_Unauthorized, caller=patient, streamId=stream_id):
        stream.cancel(stream_id, sender=patient)
