"""Hypothesis strategies of the SplitRouter tests: split definitions and histories of operations."""

from hypothesis import strategies as st

from split_model import MAX_RECIPIENTS, SCALE


@st.composite
def split_definitions(draw, max_recipients=MAX_RECIPIENTS):
    """(allocations, residual_index): 1..max_recipients positive allocations adding up to SCALE."""
    n = draw(st.integers(min_value=1, max_value=max_recipients))
    # Cut points either anywhere or packed near one end, so that allocations of a few ppm show up too.
    cut = st.one_of(st.integers(1, SCALE - 1), st.integers(1, 64), st.integers(SCALE - 64, SCALE - 1))
    cuts = draw(st.lists(cut, min_size=n - 1, max_size=n - 1, unique=True))
    points = [0, *sorted(cuts), SCALE]
    allocations = [b - a for a, b in zip(points, points[1:])]
    return allocations, draw(st.integers(0, n - 1))


AMOUNTS = st.one_of(st.integers(1, 10), st.integers(1, 10**7), st.integers(1, 10**15))

# ("pay", amount) | ("withdraw", recipient index modulo n) | ("distribute", indices that cannot receive).
OPERATIONS = st.one_of(
    st.tuples(st.just("pay"), AMOUNTS),
    st.tuples(st.just("withdraw"), st.integers(0, MAX_RECIPIENTS - 1)),
    st.tuples(st.just("distribute"), st.frozensets(st.integers(0, MAX_RECIPIENTS - 1), max_size=3)),
)
