"""Hypothesis strategies of the system state machine (Curve style: the machine holds the actions, this the inputs).

Amounts are token units (6 decimals) with odd unit counts, so every split, ratio and rate rounds.
"""

from hypothesis import strategies as st

from .system_model import DAY, UNIT

# ---- CareStream
stream_deposits = st.integers(20 * UNIT, 1_500 * UNIT)
top_up_charges = st.integers(1 * UNIT, 800 * UNIT)
# What the stream would pay in 30 days; the rate is derived from it and is never a whole unit per second.
monthly_amounts = st.integers(30 * UNIT, 3_000 * UNIT)
start_delays = st.one_of(st.just(0), st.integers(1, 3 * DAY))  # 0: starts now
durations = st.one_of(st.just(0), st.integers(DAY, 60 * DAY))  # 0: open-ended

# ---- OutcomeEscrow
milestone_amounts = st.lists(st.integers(10 * UNIT, 800 * UNIT), min_size=1, max_size=3)
deadline_gaps = st.lists(st.integers(DAY, 20 * DAY), min_size=3, max_size=3)
tier_sets = st.sampled_from([[10_000, 5_000, 0], [10_000], [9_000, 3_333, 1], [7_777, 5_555, 3_333, 0]])
attestor_counts = st.integers(1, 3)
threshold_seeds = st.integers(1, 3)  # clipped to the number of attestors
challenge_windows = st.integers(3_600, 3 * DAY)
arbitration_windows = st.integers(3_600, 5 * DAY)
hashes = st.binary(min_size=32, max_size=32)  # evidence and dispute reasons: hashes only, never data

# ---- FeeForService: a few units (rounding), around the 10 cUSD deductible, and up to beyond the 500 cUSD cap
service_charges = st.one_of(st.integers(1, 5), st.integers(1 * UNIT, 40 * UNIT), st.integers(40 * UNIT, 900 * UNIT))

# ---- parties and time
patients = st.integers(0, 2)
institutions = st.integers(0, 1)
# Minutes to days inside a period, and jumps of about a period so budgets roll over and streams renew.
waits = st.one_of(st.integers(60, 2 * DAY), st.integers(2 * DAY, 15 * DAY), st.integers(25 * DAY, 45 * DAY))
