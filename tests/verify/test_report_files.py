"""The audit report on the realistic history: files, valid PNGs, and tables that carry the chain's figures."""

import re

import matplotlib.image
import pytest
from .verify_history import FEE_FOR_SERVICE_VISITS, UNIT

from carepay.report import write_report
from carepay.report_render import usd

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def report(history, w3, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("report")
    paths = write_report(w3, history.addresses(), history.deploy_block, out_dir)
    return out_dir, paths


def _row(text, *cells):
    """The Markdown table row that contains every one of `cells`."""
    rows = [line for line in text.splitlines() if line.startswith("|") and all(c in line for c in cells)]
    assert len(rows) == 1, (cells, rows)
    return rows[0]


def test_report__writes_markdown_html_and_three_charts(report):
    out_dir, paths = report

    assert sorted(p.name for p in paths) == ["budgets.png", "flows.png", "report.html", "report.md", "states.png"]
    assert all(p.parent == out_dir and p.stat().st_size > 0 for p in paths)


def test_report__charts__are_valid_png_images(report):
    _, paths = report
    for path in (p for p in paths if p.suffix == ".png"):
        assert path.read_bytes()[:8] == PNG_SIGNATURE
        height, width, _ = matplotlib.image.imread(path).shape
        assert width > 300 and height > 200


def test_report__html__is_self_contained_with_relative_images(report):
    out_dir, _ = report
    page = (out_dir / "report.html").read_text()

    assert set(re.findall(r'<img src="([^"]+)"', page)) == {"budgets.png", "flows.png", "states.png"}
    assert "<link" not in page and "<script" not in page and "://" not in page  # nothing fetched from elsewhere
    assert "<style>" in page
    assert page.count("<table>") >= 6


def test_report__verification__shows_the_verdict_and_every_invariant(report):
    out_dir, _ = report
    text = (out_dir / "report.md").read_text()

    assert "Verdict: OK" in text
    assert "| T5 | not checkable from chain data |" in text
    for invariant in ("T1", "R4", "S1", "C1", "E1", "X1", "X7"):
        assert f"| {invariant} | pass |" in text


def test_report__budget_table__has_the_regulators_figures(report, history):
    out_dir, _ = report
    text = (out_dir / "report.md").read_text()
    institution = str(history.institutions[0].address)
    for period in (0, 1):
        budget, used, remaining = history.suite.regulator.budgetOf(history.program_id, institution, period)
        assert used > 0
        _row(text, institution, f"| {period} |", usd(budget), usd(used), usd(remaining))


def test_report__stream_and_episode_tables__have_the_money_to_the_unit(report, history):
    out_dir, _ = report
    text = (out_dir / "report.md").read_text()
    stream = history.suite.stream
    short = history.streams["short"]
    record = stream.getStream(short)
    ledger = record.ledger
    deposited = ledger.fundIn + ledger.patientIn
    row = _row(text, f"| {short} | 0x", "cancelled")
    assert usd(deposited) in row and usd(stream.withdrawnAmountOf(short)) in row
    frozen_id, _ = history.episodes["frozen"]
    episode = history.suite.escrow.getEpisode(frozen_id)
    row = _row(text, f"| {frozen_id} | 0x", "completed")
    assert usd(episode.ledger.fundIn + episode.ledger.patientIn) in row
    assert usd(333 * UNIT + 3) in row  # the whole price, fund and patient shares together


def test_report__fee_for_service_table__has_each_payments_shares_as_the_regulator_charged_them(report, history, w3):
    out_dir, _ = report
    text = (out_dir / "report.md").read_text()
    regulator, module = history.suite.regulator, str(history.suite.fee_for_service.address).lower()
    # Payments make no reservation: the Regulator's Charged events of the module are the record.
    charged = [log for log in regulator.Charged.range(history.deploy_block, w3.eth.block_number + 1) if str(log.module).lower() == module]
    assert sorted(log.claim[7] for log in charged) == sorted(c for _, c in FEE_FOR_SERVICE_VISITS)  # Claim.charge
    for number, log in enumerate(charged, start=1):
        fund, patient, _, period = log.quote
        _row(text, f"| {number} | {period} | ", f"0x{history.splits[0].hex()[:10]}", f"| {usd(fund)} | {usd(patient)} |")


def test_report__split_table__has_every_recipients_claim(report, history):
    out_dir, _ = report
    text = (out_dir / "report.md").read_text()
    router, split_a = history.suite.router, history.splits[0]
    for recipient in history.split_recipients[0]:
        claimed = router.claimed(split_a, recipient)
        _row(text, f"0x{split_a.hex()[:10]}", recipient, usd(claimed))


def test_report__more_lines_than_a_chart_shows__keeps_the_charts_readable_and_the_tables_whole(
    history, w3, tmp_path, monkeypatch,
):
    monkeypatch.setattr("carepay.report.MAX_BARS", 2)

    paths = write_report(w3, history.addresses(), history.deploy_block, tmp_path)

    for path in (p for p in paths if p.suffix == ".png"):
        assert path.read_bytes()[:8] == PNG_SIGNATURE
    text = (tmp_path / "report.md").read_text()
    budget_rows = text.split("### Budget per institution and period")[1].split("##")[0]
    assert budget_rows.count("| 1 | 0x") == 3  # every (institution, period) line, though the chart shows 2
