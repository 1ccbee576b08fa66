"""faq_statistics.json in a content folder: written by `ims-bot faq freeze-stats`, loaded
with the FAQ, and noted as stale once the FAQ's wordings change."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from bot.clinic_content import read_content
from bot.content.faq_statistics import ENGLISH, FAQ_STATISTICS_FILE, FRENCH, read_statistics


def test_freeze_stats_writes_what_the_content_loads_and_an_edit_makes_them_stale(
    content_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (content_dir / FAQ_STATISTICS_FILE).unlink()
    assert main(["faq", "freeze-stats", "--content", str(content_dir)]) == 0
    assert "en: 86 entries and topics" in capsys.readouterr().out
    content, problems = read_content(content_dir, quality=True)
    assert problems == [] and content is not None
    assert content.faq.word_statistics is not None and content.faq_fr is not None
    assert content.faq_fr.word_statistics is not None
    assert not [n for n in content.notes if n.file.endswith(FAQ_STATISTICS_FILE)]
    faq = content_dir / "faq.yaml"
    text = faq.read_text(encoding="utf-8")
    faq.write_text(
        text.replace("      - how much time off work do I need for a visit\n", "", 1),
        encoding="utf-8",
    )
    content, problems = read_content(content_dir, quality=True)
    assert problems == [] and content is not None
    [stale] = [n for n in content.notes if n.file.endswith(FAQ_STATISTICS_FILE)]
    assert "from an earlier faq.yaml" in stale.message
    assert "ims-bot faq freeze-stats" in stale.message
    assert set(read_statistics(content_dir / FAQ_STATISTICS_FILE)[0]) == {ENGLISH, FRENCH}
