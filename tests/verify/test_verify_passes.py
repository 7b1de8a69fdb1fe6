"""verify on an untouched realistic history: every checkable invariant holds, each with comparisons."""

from carepay.verify import FAIL, NOT_CHECKABLE, PASS, verify


def test_verify__realistic_history__every_checkable_invariant_holds(history, w3):
    result = verify(w3, history.addresses(), history.deploy_block)
    for check in result.checks:
        print(check.id, check.status, check.compared, check.figures, check.reason)
    assert [b.message for b in result.breaches] == []
    assert result.ok
