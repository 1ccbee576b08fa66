"""`ims-bot run` refuses to start with one clear line when Telegram is not configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from tests.fakes.api_schema import BotApiSchema
from tests.fakes.bot_api_server import FakeBotApiServer

TOKEN = "123456:the-token-this-clinic-pasted-abcdef"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No token, no base URL, and no .env from the repository."""
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_run_without_token_says_what_to_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ims-bot: configuration error: TELEGRAM_BOT_TOKEN: not set")
    assert "Traceback" not in err


def test_run_with_a_bad_base_url_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:abcdefghijklmnopqrstuvwxyz")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "127.0.0.1:8081/bot")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "TELEGRAM_API_BASE_URL" in err and "abcdefghijklmnop" not in err


def test_a_rejected_token_is_one_line_before_anything_is_built(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], api_schema: BotApiSchema
) -> None:
    built: list[object] = []

    async def build_runtime(settings: object) -> None:
        built.append(settings)
        raise AssertionError("the runtime was built before Telegram accepted the token")

    monkeypatch.setattr("bot.runtime.build_runtime", build_runtime)
    rejecting = FakeBotApiServer(
        token="999999:the-real-token-is-different-abcdefgh", schema=api_schema
    )
    with rejecting as server:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", server.base_url)
        assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "configuration error: TELEGRAM_BOT_TOKEN: rejected by Telegram" in err
    assert built == []
    assert TOKEN not in err and TOKEN.split(":")[1] not in err and "Traceback" not in err
