"""clinic.yaml: the model, rendering of locations and hours, and every schema problem."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.config import BUNDLED_CONTENT_DIR
from bot.content.clinic import french_amount, load_clinic, parse_hours, read_clinic
from bot.content.problems import ContentError, Problem
from tests.content.conftest import line_of, single_problem

VALID_CLINIC = """\
name: Test Clinic (sample)
phone: "555-0100"
email: desk@example.org
website: https://www.example.org
booking_url: https://www.example.org/book
late_cancellation_hours: 24
cancellation_policy: Please cancel a day ahead.
prices:
  - service: Assessment
    amount: "$100"
    note: sample
locations:
  - id: main
    name: Main Street
    address: 1 Main Street, Sampletown, ON
    phone: "555-0101"
    map_url: https://maps.example.org/?q=main
    hours:
      monday: "08:00-18:00"
      tuesday: "08:00-12:00, 13:00-18:00"
      wednesday: "08:00-18:00"
      saturday: closed
"""


def problems_in(tmp_path: Path, text: str) -> list[Problem]:
    """Problems reported for `text` as clinic.yaml."""
    path = tmp_path / "clinic.yaml"
    path.write_text(text, encoding="utf-8")
    clinic, problems = read_clinic(path)
    assert (clinic is None) == bool(problems)
    return problems


def only_problem(tmp_path: Path, text: str) -> Problem:
    """The single problem reported for `text`."""
    return single_problem(problems_in(tmp_path, text), "clinic.yaml")


def test_valid_clinic_loads_and_renders(tmp_path: Path) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_text(VALID_CLINIC, encoding="utf-8")
    clinic = load_clinic(path)
    assert clinic.emergency_number == "911"
    main = clinic.location("main")
    assert main is not None and clinic.location("elsewhere") is None
    assert main.hours_on("thursday").closed
    assert main.hours_on("tuesday").periods == (
        (time(8), time(12)),
        (time(13), time(18)),
    )
    block = clinic.render_locations()
    assert block.splitlines()[:4] == [
        "Main Street",
        "1 Main Street, Sampletown, ON",
        "Phone: 555-0101",
        "Map: https://maps.example.org/?q=main",
    ]
    assert "  Monday: 8:00–18:00" in block
    assert "  Tuesday: 8:00–12:00, 13:00–18:00" in block
    assert "  Thursday–Sunday: closed" in block
    assert clinic.render_prices() == "- Assessment: $100 (sample)"


def test_clinic_without_prices_points_to_the_phone(tmp_path: Path) -> None:
    text = VALID_CLINIC.split("prices:")[0] + "locations:" + VALID_CLINIC.split("locations:")[1]
    path = tmp_path / "clinic.yaml"
    path.write_text(text, encoding="utf-8")
    assert "555-0100" in load_clinic(path).render_prices()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("closed", ()),
        ("Closed", ()),
        ("9:00 - 17:30", ((time(9), time(17, 30)),)),
        ("08:00–24:00", ((time(8), time(23, 59)),)),
        ("18:00-08:00", None),
        ("08:00-12:00, 11:00-18:00", None),
        ("8am-6pm", None),
        ("25:00-26:00", None),
        ("", None),
    ],
)
def test_parse_hours(raw: str, expected: tuple[tuple[time, time], ...] | None) -> None:
    assert parse_hours(raw) == expected


def test_missing_phone(tmp_path: Path) -> None:
    text = VALID_CLINIC.replace('phone: "555-0100"\n', "")
    problem = only_problem(tmp_path, text)
    assert problem.line == 1
    assert "missing 'phone'" in problem.message


@pytest.mark.parametrize("phone", ['"call us"', '"12"', "yes"])
def test_bad_phone(tmp_path: Path, phone: str) -> None:
    text = VALID_CLINIC.replace('phone: "555-0100"', f"phone: {phone}")
    problem = only_problem(tmp_path, text)
    assert problem.line == 2


@pytest.mark.parametrize("url", ["www.example.org/book", "ftp://example.org/x", "https://nohost"])
def test_bad_url(tmp_path: Path, url: str) -> None:
    text = VALID_CLINIC.replace("booking_url: https://www.example.org/book", f"booking_url: {url}")
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "booking_url:")
    assert "not a web address" in problem.message


def test_bad_email(tmp_path: Path) -> None:
    text = VALID_CLINIC.replace("desk@example.org", "desk at example dot org")
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "email:")


def test_hours_not_like_a_range(tmp_path: Path) -> None:
    text = VALID_CLINIC.replace('monday: "08:00-18:00"', "monday: 8 to 6")
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "monday:")
    assert '"08:00-18:00"' in problem.message and "closed" in problem.message


def test_unknown_weekday_suggests_the_right_one(tmp_path: Path) -> None:
    text = VALID_CLINIC.replace("wednesday:", "wendsday:")
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "wendsday:")
    assert "did you mean 'wednesday'" in problem.message


def test_duplicate_location_ids(tmp_path: Path) -> None:
    location = VALID_CLINIC.split("locations:\n")[1]
    text = VALID_CLINIC + location
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "- id: main", occurrence=2)
    assert "duplicate location id 'main'" in problem.message


@pytest.mark.parametrize(("value", "expected"), [("-1", "between 0 and 168"), ("soon", "whole")])
def test_bad_late_cancellation_hours(tmp_path: Path, value: str, expected: str) -> None:
    text = VALID_CLINIC.replace("late_cancellation_hours: 24", f"late_cancellation_hours: {value}")
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "late_cancellation_hours")
    assert expected in problem.message


def test_unknown_clinic_key_suggests_the_right_one(tmp_path: Path) -> None:
    text = VALID_CLINIC.replace("booking_url:", "bookingurl:")
    problem = only_problem(tmp_path, text)
    # The typo is the cause; the missing 'booking_url' it leads to is not a second problem.
    assert problem.line == line_of(text, "bookingurl:")
    assert (
        "unknown key 'bookingurl' in clinic.yaml — did you mean 'booking_url'?" in problem.message
    )


def test_a_text_cut_at_a_comma_in_braces_says_to_quote_it(tmp_path: Path) -> None:
    text = VALID_CLINIC.replace(
        '  - service: Assessment\n    amount: "$100"\n    note: sample\n',
        '  - {service: Assessment, amount: "$100", note: sample, first visit}\n',
    )
    problem = only_problem(tmp_path, text)
    assert "unknown key 'first visit'" in problem.message
    assert "put quotes around the whole text" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            "cancellation_policy: Please cancel a day ahead.",
            "cancellation_policy: Please call {clinic.phone} a day ahead.",
            "cancellation_policy:",
        ),
        (
            "cancellation_policy: Please cancel a day ahead.",
            "cancellation_policy: {en: Please cancel ahead., fr: 'Appelez le {clinic.phone}.'}",
            "cancellation_policy:",
        ),
        ("    note: sample\n", "    note: see {clinic.website}\n", "note:"),
    ],
)
def test_a_placeholder_in_a_clinic_text_is_refused_at_its_line(
    tmp_path: Path, old: str, new: str, key: str
) -> None:
    """Clinic texts are shown as written: a placeholder there would reach patients as
    "{clinic.phone}", so the check names the line and says to write the fact itself."""
    text = VALID_CLINIC.replace(old, new)
    assert text != VALID_CLINIC
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, key)
    assert "placeholders such as {clinic.phone} work only in FAQ answers" in problem.message


def test_location_missing_hours_and_address(tmp_path: Path) -> None:
    text = VALID_CLINIC.replace("    address: 1 Main Street, Sampletown, ON\n", "").split(
        "    hours:"
    )[0]
    problems = problems_in(tmp_path, text)
    assert {p.line for p in problems} == {line_of(text, "- id: main")}
    assert len(problems) == 2


def test_bad_emergency_number(tmp_path: Path) -> None:
    text = VALID_CLINIC + "emergency_number: nine one one\n"
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "emergency_number")


@pytest.mark.parametrize("number", ['"9111"', '"91"', '"991"'])
def test_an_emergency_number_with_a_typo_is_refused(tmp_path: Path, number: str) -> None:
    # Every emergency reply says "call <this>": a digit too many or too few sends a patient
    # in an emergency to a number that does not answer.
    text = VALID_CLINIC + f"emergency_number: {number}\n"
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "emergency_number")
    assert "not an emergency number in Canada" in problem.message and "911" in problem.message


@pytest.mark.parametrize("number", ['"911"', "911", '"112"'])
def test_canadian_emergency_numbers_are_accepted(tmp_path: Path, number: str) -> None:
    assert problems_in(tmp_path, VALID_CLINIC + f"emergency_number: {number}\n") == []


@pytest.mark.parametrize(
    ("phone", "digits"),
    [('"613-555-014"', "9 digits"), ('"613-555-01422"', "11 digits"), ('"+1 613 555 014"', "9")],
)
def test_a_phone_number_with_a_digit_missing_or_doubled_is_refused(
    tmp_path: Path, phone: str, digits: str
) -> None:
    text = VALID_CLINIC.replace('phone: "555-0100"', f"phone: {phone}")
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "phone:")
    assert digits in problem.message


@pytest.mark.parametrize(
    "phone",
    ['"613-555-0142"', '"1-800-555-0142"', '"(613) 555-0142 ext. 12"', '"+1 613 555 0142"',
     '"+44 20 7946 0958"', '"555-0100"'],
)  # fmt: skip
def test_well_formed_phone_numbers_are_accepted(tmp_path: Path, phone: str) -> None:
    assert problems_in(tmp_path, VALID_CLINIC.replace('phone: "555-0100"', f"phone: {phone}")) == []


def test_not_a_mapping(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, "- name: x\n")
    assert problem.line == 1


def test_load_clinic_raises_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_text(VALID_CLINIC.replace("555-0100", "?").replace("monday:", "mon:"))
    with pytest.raises(ContentError) as raised:
        load_clinic(path)
    assert len(raised.value.problems) == 2


FRENCH_CLINIC = (
    VALID_CLINIC.replace(
        "name: Main Street\n",
        "name:\n      en: Main Street\n      fr: Rue Principale\n",
    )
    .replace(
        "    map_url: https://maps.example.org/?q=main\n",
        "    map_url: https://maps.example.org/?q=main\n"
        "    directions: {en: Parking at the back., fr: Stationnement à l'arrière.}\n",
    )
    .replace(
        "      saturday: closed\n",
        "      saturday: closed\n"
        "    hours_note: {en: Closed on holidays., fr: Fermé les jours fériés.}\n",
    )
    .replace("    note: sample\n", "    note: {en: sample, fr: exemple}\n")
)


def test_french_clinic_words_labels_days_times_and_money_in_french(tmp_path: Path) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_text(FRENCH_CLINIC, encoding="utf-8")
    clinic = load_clinic(path)
    french = clinic.in_french()
    block = french.render_locations()
    assert block.splitlines()[:4] == [
        "Rue Principale",
        "1 Main Street, Sampletown, ON",  # no French address given: the English one
        "Téléphone : 555-0101",
        "Carte : https://maps.example.org/?q=main",
    ]
    assert "Pour vous y rendre : Stationnement à l'arrière." in block
    assert "  Lundi : 8 h à 18 h" in block
    assert "  Mardi : 8 h à 12 h et 13 h à 18 h" in block
    assert "  Du jeudi au dimanche : fermé\n  Fermé les jours fériés." in block
    assert french.render_prices() == "- Assessment : 100 $ (exemple)"
    # The English clinic is unchanged by the French beside it.
    assert clinic.render_prices() == "- Assessment: $100 (sample)"
    assert "Getting here: Parking at the back." in clinic.render_locations()
    assert "  Thursday–Sunday: closed\n  Closed on holidays." in clinic.render_locations()


def test_french_hours_with_minutes_and_two_day_runs(tmp_path: Path) -> None:
    text = VALID_CLINIC.replace(
        "saturday: closed", 'saturday: "07:30-15:30"\n      sunday: "07:30-15:30"'
    )
    path = tmp_path / "clinic.yaml"
    path.write_text(text, encoding="utf-8")
    block = load_clinic(path).in_french().render_locations()
    assert "  Samedi et dimanche : 7 h 30 à 15 h 30" in block
    assert "  Jeudi et vendredi : fermé" in block


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("$135", "135 $"),
        ("$ 95.50", "95,50 $"),
        ("$1,250", "1 250 $"),
        ("135 $", "135 $"),
        ("from $90", None),
        ("$90 + tax", None),
    ],
)
def test_french_amount(amount: str, expected: str | None) -> None:
    assert french_amount(amount) == expected


def test_each_text_without_french_is_a_note_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_text(FRENCH_CLINIC, encoding="utf-8")
    clinic, problems = read_clinic(path)
    assert problems == [] and clinic is not None
    gaps = [(gap.line, gap.message.split(" has no French")[0]) for gap in clinic.french_gaps]
    assert gaps == [
        (line_of(FRENCH_CLINIC, "name: Test Clinic"), "note: 'name' of clinic.yaml"),
        (
            line_of(FRENCH_CLINIC, "cancellation_policy:"),
            "note: 'cancellation_policy' of clinic.yaml",
        ),
        (line_of(FRENCH_CLINIC, "service: Assessment"), "note: 'service' of the price at line 9"),
        (line_of(FRENCH_CLINIC, "address:"), "note: 'address' of location 'main'"),
    ]
    assert all(str(gap).startswith(f"{path}:") for gap in clinic.french_gaps)
    # French replies show the English where there is no French.
    assert clinic.in_french().name == "Test Clinic (sample)"


def test_french_without_english_is_a_problem(tmp_path: Path) -> None:
    text = VALID_CLINIC.replace("    note: sample\n", "    note:\n      fr: exemple\n")
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "note:") + 1
    assert "'note' of the price at line 9 has no English text; write it under 'en'" in str(problem)


def test_misspelt_language_suggests_fr(tmp_path: Path) -> None:
    text = VALID_CLINIC.replace(
        "    note: sample\n", "    note:\n      en: sample\n      fre: exemple\n"
    )
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "fre:")
    assert "did you mean 'fr'" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "told"),
    [
        ('phone: "613-555-0142"', "phone: \u201c613-555-0142\u201d", "phone number"),
        ("email: hello@example.org", "email: \u201chello@example.org\u201d", "e-mail address"),
        ('monday: "08:00-19:00"', "monday: \u201c08:00-19:00\u201d", "hours for monday"),
        ("late_cancellation_hours: 24", "late_cancellation_hours: \u201c24\u201d", "whole number"),
    ],
)
def test_curly_quotes_around_a_fact_are_named_as_the_cause(
    tmp_path: Path, old: str, new: str, told: str
) -> None:
    """A word processor's “ ” around a phone number, an address or hours are letters to
    YAML, so the value fails its format: the problem says the quotes are why."""
    text = (BUNDLED_CONTENT_DIR / "clinic.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "clinic.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    _, problems = read_clinic(path)
    [problem] = problems
    assert told in problem.message, problem
    assert problem.message.endswith(
        "curly quotes (\u201c \u201d) are not quotes to YAML, only letters: type straight "
        'quotes (") or none'
    ), problem
