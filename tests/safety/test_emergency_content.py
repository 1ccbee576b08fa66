"""emergency.yaml: the shipped rules are valid and tested; broken files get file:line problems."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from bot.clinic_content import check_content
from bot.content.problems import ContentError, Problem
from bot.safety import check_emergency_content, load_emergency_content
from bot.safety.emergency_content import EMERGENCY_FILE

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
SHIPPED = load_emergency_content(CONTENT_DIR)

VALID = """\
reviewed:
  by: Test Reviewer
  on: 2026-01-02
message: Call 911 now.
rules:
  - id: chest_pain
    description: Chest pain.
    all_of:
      - [chest]
      - [pain, hurts]
    examples:
      - my chest hurts
    not_examples:
      - my back hurts
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / EMERGENCY_FILE).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def lines_and_messages(problems: list[Problem]) -> list[tuple[int, str]]:
    return [(problem.line, problem.message) for problem in problems]


def test_shipped_content_has_no_problems() -> None:
    assert check_emergency_content(CONTENT_DIR) == []


def test_shipped_content_is_reviewed_and_covers_the_required_signs() -> None:
    assert SHIPPED.reviewed.by and isinstance(SHIPPED.reviewed.on, date)
    assert "911" in SHIPPED.message
    ids = {rule.id for rule in SHIPPED.rules}
    required = {
        "suicide_self_harm",
        "cauda_equina_bladder_bowel",
        "cauda_equina_saddle",
        "cauda_equina_both_legs",
        "worsening_leg_weakness",
        "chest_pain",
        "breathing",
        "tearing_pain",
        "stroke_signs",
        "fever_spine_neuro",
        "major_trauma",
        "severe_allergy",
        "fainting_unconscious",
    }
    assert required <= ids


def test_the_self_harm_reply_says_911_first_when_something_was_taken() -> None:
    """Pills already swallowed ("my son swallowed all my pills") can reach this rule; its
    reply, in every language, sends anyone who took something or is hurt to 911 before
    offering the crisis line."""
    rule = next(rule for rule in SHIPPED.rules if rule.id == "suicide_self_harm")
    messages = [terms.message for terms in rule.by_language() if terms.message]
    assert len(messages) >= 2  # English and French
    for message in messages:
        assert message.index("911") < message.index("9-8-8")


@pytest.mark.parametrize("rule", SHIPPED.rules, ids=lambda rule: rule.id)
def test_every_rule_catches_its_examples_and_spares_its_not_examples(rule: object) -> None:
    from bot.safety import EmergencyRule

    assert isinstance(rule, EmergencyRule)
    detector = SHIPPED.detector()
    assert rule.examples, f"{rule.id} has no examples"
    for text in rule.examples:
        assert rule.id in detector.matching_rule_ids(text), text
    for text in (*rule.not_examples, *SHIPPED.not_examples):
        assert detector.detect(text) is None, text


def test_content_check_includes_the_emergency_checker(tmp_path: Path) -> None:
    # The aggregate `ims-bot content check` reports a broken emergency file too.
    write(tmp_path, VALID.replace("message: Call 911 now.\n", ""))
    problems = check_content(tmp_path)
    assert any(p.file.endswith(EMERGENCY_FILE) and "message" in p.message for p in problems)


def test_a_valid_file_loads(tmp_path: Path) -> None:
    content = load_emergency_content(write(tmp_path, VALID))
    assert check_emergency_content(tmp_path) == []
    assert content.reviewed.on == date(2026, 1, 2)
    hit = content.detector().detect("my chest hurts a lot")
    assert hit is not None and hit.rule_id == "chest_pain" and hit.message == "Call 911 now."


def test_a_rule_warning_must_name_a_rule(tmp_path: Path) -> None:
    text = VALID + "rule_warnings:\n  chest_pian:\n    en: Call 911 if it comes back.\n"
    problems = check_emergency_content(write(tmp_path, text))
    [problem] = problems
    assert problem.line == text.count("\n") - 1
    assert "'chest_pian', which is not a rule id" in problem.message
    good = text.replace("chest_pian", "chest_pain")
    content = load_emergency_content(write(tmp_path, good))
    assert content.rule_warnings == {"chest_pain": {"en": "Call 911 if it comes back."}}


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("message: Call 911 now.", "message: Call {clinic.emergency_number} now.", 4),
        (
            "    description: Chest pain.\n",
            "    description: Chest pain.\n    message: Call 911, then {phone}.\n",
            8,
        ),
    ],
)
def test_a_placeholder_in_a_screen_reply_is_refused_at_its_line(
    tmp_path: Path, old: str, new: str, line: int
) -> None:
    """Emergency and urgent replies are shown as written: a placeholder would reach a
    patient in danger as "{clinic.emergency_number}", so the check refuses it."""
    assert old in VALID
    problems = check_emergency_content(write(tmp_path, VALID.replace(old, new)))
    assert [p.line for p in problems] == [line], problems
    assert "this reply is shown as written" in problems[0].message


def test_missing_file_is_a_problem(tmp_path: Path) -> None:
    problems = check_emergency_content(tmp_path)
    assert [p.message for p in problems] == ["file not found"]
    with pytest.raises(ContentError):
        load_emergency_content(tmp_path)


def test_yaml_syntax_error_is_reported_at_its_line(tmp_path: Path) -> None:
    broken = VALID.replace("description: Chest pain.", "description: Chest: pain.")
    problems = check_emergency_content(write(tmp_path, broken))
    assert len(problems) == 1
    assert problems[0].line == 7 and "YAML syntax" in problems[0].message


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    problems = check_emergency_content(write(tmp_path, "- just a list\n"))
    assert problems and problems[0].line == 1


def test_missing_reviewed_message_and_rules(tmp_path: Path) -> None:
    problems = check_emergency_content(write(tmp_path, "not_typos: [ladder]\n"))
    text = " ".join(p.message for p in problems)
    assert "reviewed" in text and "'message'" in text and "rules" in text
    with pytest.raises(ContentError) as raised:
        load_emergency_content(tmp_path)
    assert len(raised.value.problems) == len(problems)


def test_bad_review_date_is_reported_at_its_line(tmp_path: Path) -> None:
    problems = check_emergency_content(write(tmp_path, VALID.replace("2026-01-02", "last week")))
    assert lines_and_messages(problems) == [
        (
            3,
            "'on' in 'reviewed' must be a date written year-month-day, such as 2026-11-15, "
            "not 'last week'",
        )
    ]


def test_empty_rules_list(tmp_path: Path) -> None:
    text = VALID[: VALID.index("rules:")] + "rules: []\n"
    problems = check_emergency_content(write(tmp_path, text))
    assert [p.line for p in problems] == [5]
    assert "non-empty list" in problems[0].message


def test_unknown_keys_are_reported_where_they_are(tmp_path: Path) -> None:
    text = VALID.replace("message: Call 911 now.", "message: Call 911 now.\nmesage: typo") + (
        "    exampels:\n      - oops\n"
    )
    problems = check_emergency_content(write(tmp_path, text))
    found = lines_and_messages(problems)
    assert any(line == 5 and "unknown key 'mesage'" in msg for line, msg in found)
    assert any(line == 16 and "unknown key 'exampels'" in msg for line, msg in found)


def test_duplicate_rule_ids(tmp_path: Path) -> None:
    rule = VALID[VALID.index("  - id: chest_pain") :]
    problems = check_emergency_content(write(tmp_path, VALID + rule))
    assert lines_and_messages(problems) == [
        (15, "duplicate rule id 'chest_pain' (first used on line 6)")
    ]


def test_a_rule_given_another_rules_id_is_reported_once_as_the_cause(tmp_path: Path) -> None:
    """A second rule copied from the first keeps its id, so the names of the id it was
    meant to have dangle: one problem, at the duplicate, naming them, not one per name
    ahead of it."""
    second = VALID[VALID.index("  - id: chest_pain") :]
    text = (
        VALID
        + second
        + "rule_warnings:\n  breathing:\n    en: Call 911 if it comes back.\n"
        + "context:\n  calm_readings:\n    - name: a run\n      rules: [breathing]\n"
        + "      all_of: [[jog*]]\n"
    )
    problems = check_emergency_content(write(tmp_path, text))
    assert lines_and_messages(problems) == [
        (
            15,
            "duplicate rule id 'chest_pain' (first used on line 6); the file names "
            "'breathing', which no rule has: is this rule meant to be that?",
        )
    ]


def test_rule_needs_id_description_matching_and_examples(tmp_path: Path) -> None:
    text = VALID[: VALID.index("rules:")] + "rules:\n  - message: hello\n"
    problems = check_emergency_content(write(tmp_path, text))
    messages = " ".join(p.message for p in problems)
    assert "missing 'id'" in messages and "missing 'description'" in messages
    assert "'all_of' groups or 'phrases'" in messages and "needs 'examples'" in messages
    assert all(p.line == 6 for p in problems)


def test_bad_rule_id_and_short_prefix(tmp_path: Path) -> None:
    text = VALID.replace("id: chest_pain", "id: Chest Pain").replace("[pain, hurts]", "[p*, hurts]")
    problems = check_emergency_content(write(tmp_path, text))
    found = lines_and_messages(problems)
    assert any(line == 6 and "lower case" in msg for line, msg in found)
    assert any(line == 10 and "too short" in msg for line, msg in found)


def test_terms_without_letters_and_malformed_groups(tmp_path: Path) -> None:
    text = VALID.replace("[pain, hurts]", "[pain, '!!!']").replace(
        "      - [chest]\n", "      - [chest]\n      - just text\n"
    )
    problems = check_emergency_content(write(tmp_path, text))
    found = lines_and_messages(problems)
    assert any(line == 10 and "must be a list" in msg for line, msg in found)
    assert any(line == 11 and "no letters or digits" in msg for line, msg in found)


def test_example_that_does_not_trigger_is_reported_at_its_line(tmp_path: Path) -> None:
    extra = "      - my chest hurts\n      - I feel fine\n"
    text = VALID.replace("      - my chest hurts\n", extra)
    problems = check_emergency_content(write(tmp_path, text))
    assert len(problems) == 1
    assert problems[0].line == 13
    assert "'I feel fine' does not trigger rule 'chest_pain'" in problems[0].message


def test_not_example_that_triggers_is_reported_at_its_line(tmp_path: Path) -> None:
    text = VALID.replace("      - my back hurts\n", "      - my back hurts\n      - chest pain\n")
    problems = check_emergency_content(write(tmp_path, text))
    assert len(problems) == 1
    assert problems[0].line == 15
    assert "triggers rule 'chest_pain'" in problems[0].message


def test_file_wide_not_example_that_triggers(tmp_path: Path) -> None:
    text = VALID.replace("rules:\n", "not_examples:\n  - is chest pain normal?\nrules:\n")
    problems = check_emergency_content(write(tmp_path, text))
    assert lines_and_messages(problems)[0][0] == 6


def test_overlong_message(tmp_path: Path) -> None:
    text = VALID.replace("message: Call 911 now.", "message: " + "Call 911 now. " * 200)
    problems = check_emergency_content(write(tmp_path, text))
    assert [p.line for p in problems] == [4]
    assert "characters" in problems[0].message


def test_rule_message_overrides_the_general_message(tmp_path: Path) -> None:
    own = "    description: x\n    message: Own.\n"
    text = VALID.replace("    description: Chest pain.\n", own)
    content = load_emergency_content(write(tmp_path, text))
    hit = content.detector().detect("chest pain")
    assert hit is not None and hit.message == "Own."


def test_control_character_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    text = VALID.replace("description: Chest pain.", "description: Chest\x07 pain.")
    problems = check_emergency_content(write(tmp_path, text))
    assert [p.line for p in problems] == [7]
    with pytest.raises(ContentError):
        load_emergency_content(tmp_path)


def test_empty_all_of_and_text_instead_of_a_list(tmp_path: Path) -> None:
    text = VALID.replace("      - [chest]\n      - [pain, hurts]\n", "      - []\n").replace(
        "      - my back hurts\n", ""
    )
    text = text.replace("    not_examples:\n", "    not_examples: my back hurts\n")
    found = lines_and_messages(check_emergency_content(write(tmp_path, text)))
    assert any(line == 9 and "needs at least one term" in msg for line, msg in found)
    assert any(line == 12 and "must be a list" in msg for line, msg in found)


FRENCH = (
    VALID
    + """\
    fr:
      message: Appelez le 911 maintenant.
      all_of:
        - [poitrine]
        - [mal, douleur]
      examples:
        - j'ai mal à la poitrine
        - mon coeur bat vite
      not_examples:
        - j'ai mal au dos
"""
)


def test_a_french_example_that_misses_is_reported_with_its_line(tmp_path: Path) -> None:
    problems = check_emergency_content(write(tmp_path, FRENCH))
    assert lines_and_messages(problems) == [
        (
            22,
            "example (fr) 'mon coeur bat vite' does not trigger rule 'chest_pain'; "
            "add a term or phrase that covers it",
        )
    ]


def test_french_terms_and_reply_are_loaded(tmp_path: Path) -> None:
    content = load_emergency_content(
        write(tmp_path, FRENCH.replace("        - mon coeur bat vite\n", ""))
    )
    [rule] = content.rules
    assert rule.message_in("fr") == "Appelez le 911 maintenant."
    [french] = rule.translations
    assert french.language == "fr" and french.message == "Appelez le 911 maintenant."
    assert content.detector().detect("grosse douleur dans la poitrine") is not None


def test_an_unknown_language_section_is_a_problem(tmp_path: Path) -> None:
    problems = check_emergency_content(
        write(
            tmp_path,
            VALID.replace("    not_examples:", "    xx:\n      phrases: [a]\n    not_examples:"),
        )
    )
    assert any("'xx'" in message for _, message in lines_and_messages(problems))


def test_every_shipped_rule_reads_french() -> None:
    content = load_emergency_content(CONTENT_DIR)
    missing = [
        rule.id for rule in content.rules if "fr" not in {t.language for t in rule.translations}
    ]
    assert missing == []
    assert content.urgent is not None
    missing_urgent = [
        rule.id
        for rule in content.urgent.rules
        if "fr" not in {t.language for t in rule.translations}
    ]
    assert missing_urgent == []
    assert content.message_in("fr") and content.urgent.message_in("fr")


def test_the_most_dangerous_signs_read_every_listed_language() -> None:
    content = load_emergency_content(CONTENT_DIR)
    languages = {"es", "pa", "zh", "ar", "tl", "hi", "ur", "fa", "vi", "ko", "pt", "it", "de"}
    for rule_id in (
        "chest_pain",
        "breathing",
        "stroke_signs",
        "suicide_self_harm",
        "heavy_bleeding",
    ):
        rule = content.rule(rule_id)
        assert rule is not None
        assert languages <= {t.language for t in rule.translations}, rule_id


def test_a_notice_with_an_unknown_placeholder_is_a_problem(tmp_path: Path) -> None:
    write(tmp_path, VALID)
    (tmp_path / "safety_languages.yaml").write_text(
        textwrap.dedent(
            """\
            reviewed: {by: Test Reviewer, on: 2026-01-02}
            notice: I can only read English and French. Call {number}, or the clinic at {phone}.
            languages:
              es:
                name: Spanish
                notice: Solo leo inglés y francés. Llame al {numero}.
                emergency: Llame al {number}.
                urgent: Vea a un médico hoy.
                emergency_title: Busque ayuda
                urgent_title: Vea a un médico
                phone: "Clínica: {phone}"
            """
        ),
        encoding="utf-8",
    )
    problems = check_emergency_content(tmp_path)
    assert [(p.file.endswith("safety_languages.yaml"), p.line) for p in problems] == [(True, 6)]
    assert "{number} and {phone}" in problems[0].message


def test_a_term_that_catches_many_not_examples_is_one_problem_at_its_line(
    tmp_path: Path,
) -> None:
    caught = ["chest of drawers for sale", "my chest freezer hurts my wallet", "a treasure chest"]
    # "chest" is a group of its own, so it alone decides: the rule still needs a second
    # group, which these not-examples fill with "hurts" or not at all.
    text = VALID.replace("      - [pain, hurts]\n", "").replace(
        "      - my back hurts\n", "".join(f"      - {t}\n" for t in ["my back hurts", *caught])
    )
    problems = check_emergency_content(write(tmp_path, text))
    assert len(problems) == 1, problems
    [problem] = problems
    assert problem.line == 9  # where "chest" is written
    assert "term 'chest' of rule 'chest_pain' is too broad" in problem.message
    assert "on 3 not-examples" in problem.message
    for line, not_example in enumerate(caught, start=14):
        assert f"{not_example!r} (line {line})" in problem.message


def test_a_not_example_caught_alone_names_the_term_at_its_own_line(tmp_path: Path) -> None:
    text = VALID.replace("      - my back hurts\n", "      - my back hurts\n      - chest pain\n")
    [problem] = check_emergency_content(write(tmp_path, text))
    assert problem.line == 15
    # Each all_of group gave one term: both are named, not the first group's by file order.
    assert "'chest pain' triggers rule 'chest_pain' through its terms 'chest' + 'pain'" in (
        problem.message
    )
    assert "(lines 9, 10)" in problem.message


def test_a_term_shared_by_english_and_french_is_placed_at_the_line_of_the_language_that_matched(
    tmp_path: Path,
) -> None:
    text = VALID + (
        "    fr:\n"
        "      all_of:\n"
        "        - [chest, poitrine]\n"
        "        - [douleur, mal]\n"
        "      examples:\n"
        "        - j'ai mal à la poitrine\n"
        "      not_examples:\n"
        "        - le chest de ma commode est mal rangé\n"
    )
    [problem] = check_emergency_content(write(tmp_path, text))
    assert problem.line == 22  # the French not-example
    assert "through its terms 'chest' + 'mal'" in problem.message
    assert "(lines 17, 18)" in problem.message  # the French lines, not the English 'chest'


def test_not_examples_caught_by_two_terms_are_grouped_by_each(tmp_path: Path) -> None:
    text = VALID.replace(
        "      - [chest]\n      - [pain, hurts]\n",
        "      - [chest, ribs]\n",
    ).replace(
        "      - my back hurts\n",
        "      - my back hurts\n      - chest of drawers\n      - a treasure chest\n"
        "      - spare ribs recipe\n      - ribs on the grill\n",
    )
    text = text.replace("      - my chest hurts\n", "      - my chest\n")
    problems = check_emergency_content(write(tmp_path, text))
    messages = sorted(problem.message for problem in problems)
    assert len(messages) == 2, messages
    assert messages[0].startswith("term 'chest'") and "'chest of drawers'" in messages[0]
    assert messages[1].startswith("term 'ribs'") and "'spare ribs recipe'" in messages[1]
    assert all("on 2 not-examples" in message for message in messages)


LANGUAGES = """\
reviewed: {by: Test Reviewer, on: 2026-01-02}
notice: I can only read English and French. Call {number} in an emergency.
languages:
  pt:
    name: Portuguese
    notice: Só consigo ler inglês e francês. Ligue para o {number}.
    emergency: Isto pode ser uma emergência. Ligue para o {number} agora.
    urgent: Precisa de ver um médico hoje.
    emergency_title: Procure ajuda agora
    urgent_title: Consulte um médico hoje
    phone: 'Número da clínica: {phone}.'
"""


def test_a_notice_under_a_language_code_the_screen_never_gives_is_refused(
    tmp_path: Path,
) -> None:
    """A mistyped code ('ptt', 'pt-BR') would leave that language's patients without the
    notice and the emergency line in their language, with no word from the check."""
    write(tmp_path, VALID)
    (tmp_path / "safety_languages.yaml").write_text(LANGUAGES, encoding="utf-8")
    assert check_emergency_content(tmp_path) == []
    for code, meant in (("ptt", "pt"), ("PT", "pt"), ("pt-BR", "pt")):
        text = LANGUAGES.replace("  pt:\n", f"  {code}:\n")
        (tmp_path / "safety_languages.yaml").write_text(text, encoding="utf-8")
        problems = check_emergency_content(tmp_path)
        assert [(p.file.endswith("safety_languages.yaml"), p.line) for p in problems] == [
            (True, 4)
        ], problems
        assert f"language {code!r} is never given by the language detection" in (
            problems[0].message
        )
        assert f"did you mean {meant!r}?" in problems[0].message


def test_the_shipped_notices_are_all_under_codes_the_screen_gives() -> None:
    from bot.safety.language import detectable_languages

    assert SHIPPED.notices is not None
    codes = {notice.language for notice in SHIPPED.notices.notices}
    assert codes <= detectable_languages()
    assert {"es", "pt", "zh-Latn", "pa-Latn", "ar"} <= codes


def test_an_urgent_rule_with_an_emergency_rules_id_is_refused(tmp_path: Path) -> None:
    """Staff notes, the Alerts page and the safety report name a rule by its id: two rules
    of one name would make an urgent alert read as the emergency one."""
    write(tmp_path, VALID)
    urgent = (
        VALID.replace("message: Call 911 now.", "message: See a doctor today.")
        .replace("[chest]", "[fever]")
        .replace("my chest hurts", "my fever hurts")
    )
    (tmp_path / "urgent.yaml").write_text(urgent, encoding="utf-8")
    problems = check_emergency_content(tmp_path)
    assert [(p.file.endswith("urgent.yaml"), p.line, p.message) for p in problems] == [
        (
            True,
            6,
            "rule id 'chest_pain' is an emergency rule's id too (emergency.yaml line 6); "
            "give the urgent rule a name of its own",
        )
    ]
