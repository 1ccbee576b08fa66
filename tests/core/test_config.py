"""Settings: defaults, overrides and one clear line per bad value."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import BUNDLED_CONTENT_DIR, ConfigError, load_settings

GOOD_TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ_12345"


def test_defaults_use_bundled_content_console_and_toronto() -> None:
    settings = load_settings({})
    assert settings.telegram_bot_token is None
    assert settings.content_dir == BUNDLED_CONTENT_DIR
    assert settings.clinic_timezone.key == "America/Toronto"
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.staff_chat_ids == frozenset()


def test_overrides_are_parsed(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": GOOD_TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "CONTENT_DIR": str(tmp_path),
            "CLINIC_TIMEZONE": "Europe/London",
            "STAFF_CHAT_IDS": "-1001234, 42 ,",
        }
    )
    assert settings.telegram_bot_token == GOOD_TOKEN
    assert settings.database_url.startswith("sqlite+aiosqlite:///")  # sync spelling upgraded
    assert settings.staff_chat_ids == frozenset({-1001234, 42})
    assert settings.is_staff_chat(42) and not settings.is_staff_chat(43)
    assert settings.clinic_timezone.key == "Europe/London"


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"STAFF_CHAT_IDS": "12,abc"}, "STAFF_CHAT_IDS"),
        ({"CLINIC_TIMEZONE": "Mars/Olympus"}, "CLINIC_TIMEZONE"),
        ({"CONTENT_DIR": "/no/such/folder"}, "CONTENT_DIR"),
        ({"DATABASE_URL": "bot.sqlite3"}, "DATABASE_URL"),
        ({"TELEGRAM_API_BASE_URL": "localhost:8081"}, "TELEGRAM_API_BASE_URL"),
        ({"UNANSWERED_RETENTION_DAYS": "-3"}, "UNANSWERED_RETENTION_DAYS"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"SEMANTIC_MATCHING": "maybe"}, "SEMANTIC_MATCHING"),
        ({"IMS_REMINDER_SWEEP_SECONDS": "soon"}, "IMS_REMINDER_SWEEP_SECONDS"),
        ({"IMS_REMINDER_GRACE_MINUTES": "0"}, "IMS_REMINDER_GRACE_MINUTES"),
        ({"IMS_REMINDER_STALE_SECONDS": "-1"}, "IMS_REMINDER_STALE_SECONDS"),
        ({"IMS_SEND_PER_SECOND": "fast"}, "IMS_SEND_PER_SECOND"),
        ({"IMS_RETRY_INITIAL_SECONDS": "0"}, "IMS_RETRY_INITIAL_SECONDS"),
        ({"IMS_INTAKE_ABANDON_DAYS": "2.5"}, "IMS_INTAKE_ABANDON_DAYS"),
        ({"IMS_HANDOFF_HOURS": "0"}, "IMS_HANDOFF_HOURS"),
        ({"IMS_HANDOFF_HOURS": "all day"}, "IMS_HANDOFF_HOURS"),
        # In-memory SQLite: it starts, and every answer is lost when the bot stops.
        ({"DATABASE_URL": "sqlite+aiosqlite:///"}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite://"}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:///:memory:"}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite+aiosqlite:///file:x?mode=memory&uri=true"}, "DATABASE_URL"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(env)
    message = str(raised.value)
    assert message.startswith(names)
    assert "\n" not in message


@pytest.mark.parametrize(
    "zone", ["EST", "MST", "HST", "EST5EDT", "UTC", "GMT", "Etc/GMT+5", "posix/EST", "UTC-5"]
)
def test_a_clinic_zone_without_daylight_saving_rules_is_refused(zone: str) -> None:
    """EST all year puts a Toronto clinic's summer reminders an hour off."""
    with pytest.raises(ConfigError) as raised:
        load_settings({"CLINIC_TIMEZONE": zone}, read_dotenv=False)
    message = str(raised.value)
    assert message.startswith(f"CLINIC_TIMEZONE: {zone!r}") and "\n" not in message
    assert "America/Toronto" in message


@pytest.mark.parametrize("zone", ["America/Regina", "America/St_Johns", "Canada/Eastern"])
def test_region_zones_are_accepted_with_or_without_daylight_saving(zone: str) -> None:
    assert load_settings({"CLINIC_TIMEZONE": zone}, read_dotenv=False).clinic_timezone.key == zone


def test_feature_settings_are_parsed_with_the_rest() -> None:
    settings = load_settings(
        {
            "IMS_REMINDER_SWEEP_SECONDS": "0.5",
            "IMS_REMINDER_GRACE_MINUTES": "90",
            "IMS_REMINDER_STALE_SECONDS": "2",
            "IMS_SEND_PER_SECOND": "10",
            "IMS_REMINDER_DEADLINE_SECONDS": "5",
            "TELEGRAM_BOT_USERNAME": "@MapleClinicBot",
            "IMS_INTAKE_ABANDON_DAYS": "3",
            "IMS_HANDOFF_HOURS": "1.5",
            "SEMANTIC_MATCHING": "off",
        }
    )
    reminders = settings.reminders
    assert reminders.sweep_interval == timedelta(seconds=0.5)
    assert reminders.grace == timedelta(minutes=90)
    assert reminders.stale_claim == timedelta(seconds=2)
    assert settings.delivery.global_per_second == 10
    assert settings.delivery.reminder_deadline_s == 5
    assert reminders.bot_username == "MapleClinicBot"
    assert settings.intake_abandon_after == timedelta(days=3)
    assert settings.handoff_window == timedelta(minutes=90)
    assert settings.semantic_matching == "off"


def test_bad_token_is_rejected_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({"TELEGRAM_BOT_TOKEN": "not-a-token-secret-value"})
    assert "not-a-token-secret-value" not in str(raised.value)


def test_repr_hides_token() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": GOOD_TOKEN})
    assert GOOD_TOKEN not in repr(settings)
    assert GOOD_TOKEN.split(":")[1] not in repr(settings)


@pytest.mark.parametrize("below", ["", "bot-data"])
def test_a_data_folder_that_is_a_file_names_ims_data_dir(tmp_path: Path, below: str) -> None:
    a_file = tmp_path / "hostname"
    a_file.write_text("clinic\n")
    data_dir = a_file / below if below else a_file
    with pytest.raises(ConfigError) as raised:
        load_settings({"IMS_DATA_DIR": str(data_dir)})
    message = str(raised.value)
    assert message.startswith(f"IMS_DATA_DIR: {str(a_file)!r} is a file, not a folder")
    assert "DATABASE_URL is not set, so the database is kept there too" in message
    with pytest.raises(ConfigError) as raised:
        load_settings(
            {"IMS_DATA_DIR": str(data_dir), "DATABASE_URL": f"sqlite:///{tmp_path / 'b.db'}"}
        )
    assert str(raised.value).startswith("IMS_DATA_DIR:")
    assert "DATABASE_URL" not in str(raised.value)  # set by hand: not derived from it


def test_a_file_database_is_accepted(tmp_path: Path) -> None:
    for url in (f"sqlite+aiosqlite:///{tmp_path / 'a.db'}", "sqlite:///relative.sqlite3"):
        assert load_settings({"DATABASE_URL": url}).database_url.endswith((".db", ".sqlite3"))


def test_a_database_folder_that_does_not_exist_is_named_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "mistyped" / "dir"
    with pytest.raises(ConfigError) as raised:
        load_settings({"DATABASE_URL": f"sqlite:///{missing / 'x.db'}"})
    assert str(raised.value).startswith("DATABASE_URL") and str(missing) in str(raised.value)
    assert not missing.parent.exists()
    data = tmp_path / "data"  # the bot's own data folder is created when needed
    inside = load_settings(
        {"IMS_DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data / 'x.db'}"}
    )
    assert inside.database_url.endswith("data/x.db")
    assert load_settings({"IMS_DATA_DIR": str(data)}).data_dir == data


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("bot.sqlite3", "is not a database URL"),
        ("sqlite+aiosqlite:/x.db", "is not a database URL"),
        ("postgresql+asyncpg://clinic:s3cret@db:port/ims", "is not a database URL"),
        ("sqlite+aiosqlite:///file::memory:?cache=shared&uri=true", "in-memory"),
        ("sqlite+aiosqlite:///file:x?mode=memory&uri=true", "in-memory"),
        ("sqlite:///?timeout=5", "in-memory"),
        ("sqlite+aiosqlite:///file:bot.db?uri=true", "SQLite URI filename"),
        ("sqlite://localhost/bot.db", "names a host"),
        ("sqlite:///bot.db?timeout=5s", "timeout '5s' is not a number of seconds"),
        ("sqlite:///bot.db?timeout=0", "timeout '0' is not a number of seconds"),
        ("sqlite:///no-such-folder/bot.db?timeout=5", "the folder 'no-such-folder' does not"),
    ],
)
def test_odd_database_urls_get_one_clear_line(url: str, said: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({"DATABASE_URL": url})
    message = str(raised.value)
    assert message.startswith("DATABASE_URL: ") and said in message and "\n" not in message
    assert "s3cret" not in message  # a password is never quoted
    assert "s3cret" in url or "folder" in message or repr(url) in message  # as written


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://clinic:s3cret@db/x.db",  # "names a host" quoted the URL as written
        "postgresql+asyncpg:/clinic:s3cret@db/ims",  # one slash
        "sqlite://clinic:s3@cr/et@db/x.db",  # unencoded '@' and '/'
        "sqlite:clinic:s3cret@db/x.db",  # no slash
        "postgresql+asyncpg://clinic@db:port/ims?password=s3cret",
    ],
)
def test_a_password_in_an_odd_database_url_is_never_quoted(url: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({"DATABASE_URL": url})
    message = str(raised.value)
    assert message.startswith("DATABASE_URL: ") and "***" in message
    for piece in ("s3cret", "s3@cr", "cr/et", "et@"):
        assert piece not in message


@pytest.mark.parametrize(
    ("url", "wanted"),
    [
        ("sqlite:///bot.sqlite3?timeout=5", "sqlite+aiosqlite:///bot.sqlite3?timeout=5"),
        ("SQLite:///bot.sqlite3", "sqlite+aiosqlite:///bot.sqlite3"),
        ("sqlite+pysqlite:///bot.sqlite3", "sqlite+aiosqlite:///bot.sqlite3"),
        ("sqlite+aiosqlite:///./bot.sqlite3", "sqlite+aiosqlite:///./bot.sqlite3"),
        ("postgresql+asyncpg://clinic:pw@db/ims", "postgresql+asyncpg://clinic:pw@db/ims"),
    ],
)
def test_good_database_urls_keep_their_query_and_get_the_async_driver(
    url: str, wanted: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings({"DATABASE_URL": url}).database_url == wanted


def test_a_database_path_through_a_file_is_named(tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    with pytest.raises(ConfigError) as raised:
        load_settings({"DATABASE_URL": f"sqlite:///{a_file / 'bot.db'}"})
    assert str(raised.value).startswith(f"DATABASE_URL: {str(a_file)!r} is a file, not a folder")


def test_a_database_path_that_is_a_folder_is_named(tmp_path: Path) -> None:
    """A folder given where the database file goes is a setting's mistake, told as one
    (not SQLite's 'unable to open database file' when the bot first opens it)."""
    with pytest.raises(ConfigError) as raised:
        load_settings({"DATABASE_URL": f"sqlite:///{tmp_path}"})
    assert str(raised.value) == (
        f"DATABASE_URL: {str(tmp_path)!r} is a folder, not the database file; name a file in "
        f"it, e.g. sqlite+aiosqlite:///{tmp_path / 'ims-bot.sqlite3'}"
    )


@pytest.mark.parametrize(
    ("raw", "kept"),
    [("@MapleClinicBot", "MapleClinicBot"), ("https://t.me/maple_bot", "maple_bot"), ("", None)],
)
def test_the_bot_username_is_kept_as_links_need_it(raw: str, kept: str | None) -> None:
    assert load_settings({"TELEGRAM_BOT_USERNAME": raw}).reminders.bot_username == kept


@pytest.mark.parametrize("raw", ["@@Maple Clinic Bot", "mapl", "Maple-Clinic-Bot"])
def test_a_bot_username_that_is_none_is_refused_in_one_line(raw: str) -> None:
    """Every appointment link is built on it: a name with a space or a dash opens nothing."""
    with pytest.raises(ConfigError) as raised:
        load_settings({"TELEGRAM_BOT_USERNAME": raw})
    assert str(raised.value) == (
        f"TELEGRAM_BOT_USERNAME: {raw!r} is not a bot's username; give the name @BotFather "
        "gave it (5 to 32 letters, digits or _), e.g. MapleClinicBot"
    )
