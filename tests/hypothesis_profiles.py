"""Hypothesis profiles: `ci`, the default (`make test`), and `deep` (`make test-deep`).

Properties of the pure-Python models cost microseconds an example; they keep their own generous
`max_examples` in both profiles. Properties whose every example sends transactions to anvil cost
0.1-1 s an example (a step of the whole-suite state machine ~0.3 s); they take their counts from
`per_profile(ci=..., deep=...)`: a bounded run in `make test`, and in `make test-deep` at least the
counts they had before the split, mostly several times more. Select with `--hypothesis-profile deep`.
"""

from hypothesis import settings

CI = "ci"
DEEP = "deep"

settings.register_profile(CI, deadline=None, print_blob=True)
settings.register_profile(DEEP, deadline=None, print_blob=True)
settings.load_profile(CI)  # hypothesis' pytest plugin loads --hypothesis-profile after this


def per_profile(ci: int, deep: int) -> int:
    """The count (examples or steps) for the active profile; read when the test module is imported."""
    if ci > deep:
        raise ValueError(f"the deep profile must search at least as far as ci ({ci} > {deep})")
    return deep if settings.get_current_profile_name() == DEEP else ci
