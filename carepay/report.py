"""The audit report: what the suite did, from the chain alone, with verify's verdict.

`write_report(w3, addresses, from_block, out_dir)` reads and replays the chain as `verify` does (one
read serves both), then writes `report.md` and `report.html` (self-contained: inline style, images
referenced relatively) and PNG charts beside them: budget used per institution and period against
the budget, money flows per party, streams and episodes by state. Returns the paths written.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from web3 import Web3

from carepay.ledger import read_chain, replay
from carepay.ledger.context import ZERO_ADDRESS
from carepay.ledger.reader import DEFAULT_BLOCK_RANGE
from carepay.ledger.replay import Replay
from carepay.ledger.streams import STATE_NAMES
from carepay.report_render import Chart, Section, Table, bar_chart, html_page, markdown, usd
from carepay.verify import NOT_CHECKABLE, VerifyResult, verify_replay

UNIT = 10**6
MODULES = ("CareStream", "OutcomeEscrow", "FeeForService")
STREAM_STATUS = {0: "pending", 1: "streaming", 2: "insolvent", 3: "paused", 4: "ended", 5: "cancelled"}
SECONDS_PER_30_DAYS = 30 * 86_400
MAX_BARS = 24  # bars per chart; tables list everything


def write_report(
    w3: Web3, addresses: dict[str, str], from_block: int, out_dir: Path, block_range: int = DEFAULT_BLOCK_RANGE
) -> list[Path]:
    """Writes report.md, report.html and the PNG charts into `out_dir` (created if missing)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    done = replay(read_chain(w3, addresses, from_block, block_range=block_range))
    result = verify_replay(done)
    charts: list[Path] = []
    sections = [
        _verify_section(result),
        _budget_section(done, out_dir, charts),
        _flows_section(done, out_dir, charts),
        _items_section(done, out_dir, charts),
        _splits_section(done),
    ]
    title = "CarePay audit report"
    chain = done.ctx.chain
    intro = [
        f"Chain id {w3.eth.chain_id}, blocks {chain.from_block} to {chain.to_block}, {len(chain.events)} events read.",
        "Contracts: " + ", ".join(f"{name} {address}" for name, address in chain.addresses.items()) + ".",
        "Amounts in CareUSD (6 decimals), exact to the unit. " + result.summary() + ".",
    ]
    md_path, html_path = out_dir / "report.md", out_dir / "report.html"
    md_path.write_text(markdown(title, intro, sections), encoding="utf-8")
    html_path.write_text(html_page(title, intro, sections), encoding="utf-8")
    return [md_path, html_path, *charts]


def _verify_section(result: VerifyResult) -> Section:
    rows = [[c.id, c.status, str(c.compared), c.sentence, c.reason] for c in result.checks]
    table = Table("Invariants", ["id", "status", "comparisons", "invariant", "notes"], rows)
    breaches = Table("Breaches", ["invariant", "subject", "quantity", "expected", "actual", "detail"], [
        [b.invariant, b.subject, b.quantity, str(b.expected), str(b.actual), b.detail] for b in result.breaches
    ])
    verdict = "OK" if result.ok else "BREACHED"
    unchecked = [c.id for c in result.checks if c.status == NOT_CHECKABLE]
    text = f"Verdict: {verdict}. Not checkable from chain data: {', '.join(unchecked) or 'none'} (reasons in the table)."
    return Section("Verification", text, [table, breaches])


def _budget_section(done: Replay, out_dir: Path, charts: list[Path]) -> Section:
    view, label = done.ctx.chain.view, done.ctx.label
    rows, names, shares = [], [], []
    for program, institution, period in done.regulator.budget_lines():
        budget, used, remaining = view("Regulator", "budgetOf", program, institution, period)
        share = used * 100 / budget if budget else 0.0
        rows.append([str(program), label(institution), str(period), usd(budget), usd(used), usd(remaining), f"{share:.2f}%" if budget else "-"])
        names.append(f"{institution[:8]}… program {program} period {period}\n{used // UNIT:,} of {budget // UNIT:,} CareUSD")
        shares.append(share)
    title = "Fund budget used per institution and period"
    if len(names) > MAX_BARS:  # a readable chart: the most used lines; the table has them all
        top = sorted(range(len(names)), key=lambda i: -shares[i])[:MAX_BARS]
        names, shares = [names[i] for i in top], [shares[i] for i in top]
        title += f" ({MAX_BARS} most used of {len(rows)})"
    chart = bar_chart(
        out_dir / "budgets.png", title, names, {"used % of the period budget": shares}, "% of the period budget",
        reference=100.0,
    )
    charts.append(chart)
    table = Table("Budget per institution and period", ["program", "institution", "period", "budget", "used", "remaining", "used %"], rows,
                  "Used = the fund shares still reserved in the period plus those charged for good by immediate payments (the Regulator's counter, equal to the sum of live reservations and charges when R4 passes).")
    return Section("Budgets", tables=[table], charts=[Chart(chart.name, "budget used per institution and period")])


def _party_role(done: Replay, address: str) -> str:
    role = done.ctx.labels.get(address.lower(), "")
    if any(address in split.recipients for split in done.splits.splits.values()):
        role = (role + ", " if role else "") + "split recipient"
    return role or "other"


def _flows_section(done: Replay, out_dir: Path, charts: list[Path]) -> Section:
    addresses = done.ctx.chain.addresses
    modules = {addresses[m] for m in MODULES if m in addresses}
    router = addresses["SplitRouter"]
    flows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for transfers in done.token.transfers_by_tx.values():
        for t in transfers:
            source, target, value = t.args["from"], t.args["to"], t.args["value"]
            if target in modules and source not in modules and source != router:
                flows[source]["paid into modules"] += value
            elif source in modules and target not in modules and target != router:
                flows[target]["refunds received"] += value
            elif source == router:
                flows[target]["received from splits"] += value
            elif source in modules and target == router:
                flows[source]["paid to splits"] += value
            elif source == ZERO_ADDRESS:
                flows[target]["minted to"] += value
    for split in done.splits.splits.values():  # earned but not yet claimed: still part of what a party received
        for recipient, entitlement, withdrawn in zip(split.recipients, split.entitlements(), split.withdrawn):
            flows[recipient]["claimable in splits"] += entitlement - withdrawn
    columns = ["paid into modules", "refunds received", "received from splits", "claimable in splits", "paid to splits"]
    rows, names, series = [], [], {c: [] for c in columns[:3]}
    for address, flow in sorted(flows.items(), key=lambda item: -sum(item[1][c] for c in columns)):
        if not any(flow[c] for c in columns):
            continue
        rows.append([done.ctx.label(address), _party_role(done, address), *(usd(flow[c]) for c in columns), usd(done.token.balances.get(address, 0))])
        if address in modules or address == router:
            continue  # contracts pass money through; the chart shows the people and institutions
        names.append(f"{_party_role(done, address).split(',')[0].split(' 0x')[0]} {address[:8]}…")
        for c in series:
            series[c].append(flow[c] / UNIT)
    title = "Money flows per party"
    if len(names) > MAX_BARS:  # the largest parties, the rest summed, so the chart stays readable
        parties, others = len(names), len(names) - (MAX_BARS - 1)
        names = names[: MAX_BARS - 1] + [f"{others} others"]
        series = {c: values[: MAX_BARS - 1] + [sum(values[MAX_BARS - 1 :])] for c, values in series.items()}
        title += f" (largest {MAX_BARS - 1} of {parties})"
    chart = bar_chart(out_dir / "flows.png", title, names, series, "CareUSD", horizontal=True)
    charts.append(chart)
    table = Table("Money flows per party", ["party", "role", *columns, "balance now"], rows,
                  "From every CareUSD Transfer event: payers' deposits into the payment modules, refunds back to payers, payouts from splits to their recipients.")
    return Section("Money flows", tables=[table], charts=[Chart(chart.name, "money flows per party")])


def _items_section(done: Replay, out_dir: Path, charts: list[Path]) -> Section:
    view, label = done.ctx.chain.view, done.ctx.label
    stream_rows, stream_states = [], defaultdict(int)
    for stream in done.streams.streams.values():
        status = STREAM_STATUS.get(view("CareStream", "statusOf", stream.id), "?")
        stream_states[status] += 1
        stream_rows.append([
            str(stream.id), f"0x{stream.patient.hex()[:10]}…", label(stream.institution), f"0x{stream.split.hex()[:10]}…",
            usd(stream.rate * SECONDS_PER_30_DAYS // 10**18), usd(stream.deposited), usd(stream.paid),
            usd(stream.fund_refunds), usd(stream.patient_refunds), usd(stream.held), usd(stream.debt_written_off), status,
        ])
    episode_rows, episode_states = [], defaultdict(int)
    for episode in done.escrow.episodes.values():
        episode_states[episode.status] += 1
        milestones = len(episode.terms["milestones"])
        episode_rows.append([
            str(episode.id), f"0x{episode.terms['patientId'].hex()[:10]}…", label(episode.institution),
            f"{min(episode.index, milestones)}/{milestones}", usd(episode.deposited), usd(episode.paid), usd(episode.owed),
            usd(episode.fund_refunds), usd(episode.patient_refunds), usd(episode.ledger.total), episode.status,
        ])
    states = sorted(set(stream_states) | set(episode_states))
    chart = bar_chart(out_dir / "states.png", "Streams and episodes by state", states,
                      {"streams": [stream_states[s] for s in states], "episodes": [episode_states[s] for s in states]}, "count", integer=True)
    charts.append(chart)
    streams = Table(
        "Streams",
        ["id", "patient", "institution", "split", "rate / 30 days", "deposited", "paid to care team", "fund refunds", "patient refunds", "still held", "debt written off", "status"],
        stream_rows,
    )
    episodes = Table(
        "Episodes",
        ["id", "patient", "institution", "milestones settled", "deposited", "paid to care team", "owed (held)", "fund refunds", "patient refunds", "still held", "status"],
        episode_rows,
    )
    held = Table(
        "Refunds held by CareStream", ["account", "held"],
        [[label(a), usd(v)] for a, v in sorted(done.streams.held_refunds.items()) if v],
    )
    tables = [streams, episodes, held]
    if done.fee_for_service is not None:
        tables.append(Table("Fee-for-service payments", ["payment", "period", "institution", "split", "fund share", "patient share"], [
            [str(p["payment"]), str(p["period"]), label(p["institution"]), f"0x{p['split'].hex()[:10]}…", usd(p["fund"]), usd(p["patient"])]
            for p in done.fee_for_service.payments
        ], "Payments make no reservation: each is the Regulator's Charged and the module's ServicePaid of one transaction, numbered in order."))
    return Section("Streams and episodes", tables=tables, charts=[Chart(chart.name, "streams and episodes by state")])


def _splits_section(done: Replay) -> Section:
    rows = []
    for split in done.splits.splits.values():
        for index, (recipient, allocation, entitlement, withdrawn) in enumerate(zip(split.recipients, split.allocations, split.entitlements(), split.withdrawn)):
            residual = " (residual)" if index == split.residual else ""
            rows.append([f"0x{split.id.hex()[:10]}…", done.ctx.label(recipient) + residual, f"{allocation / 10_000:.4f}%", usd(split.total), usd(entitlement), usd(withdrawn), usd(entitlement - withdrawn)])
    table = Table(
        "Split recipients",
        ["split", "recipient", "allocation", "split received", "entitlement", "claimed", "claimable"], rows,
    )
    return Section("Care-team splits", tables=[table])
