"""How the screen reads the grammar around a sign: history notes, ages, chat French, treatment
and risk questions, third-person reports, hearsay and idioms; and the public-wording probe set."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest

from bot.cli.safety import write_report
from bot.safety import EmergencyDetector, SafetyStage, load_emergency_content
from bot.safety.emergency_content import read_emergency_files
from bot.safety.terms import normalise_words
from tests.safety.kit import false_alarms, labelled_items, missed_emergencies, screen_level

REPO = Path(__file__).resolve().parents[2]
PROBE = REPO / "tests" / "data" / "safety_public_probe.yaml"
PROBE_RECALL_FLOOR = 0.95
FALSE_ALARM_CEILING = 0.03
SUICIDE_RULE = "suicide_self_harm"


@pytest.fixture(scope="module")
def stage(bundled_stage: SafetyStage) -> SafetyStage:
    return bundled_stage


@pytest.mark.parametrize(
    ("text", "rule_id"),
    [
        # Clinical shorthand: the history note names an old condition, the rest is now.
        ("CP radiating to L arm, diaphoretic, onset 15 min, hx HTN", "chest_pain"),
        ("pt fell, +LOC, repeated emesis, amnesic to event", "concussion_signs"),
        ("worst ha of life, sudden onset 5 min ago", "thunderclap_headache"),
        # An age is not past history: "66 ans" is not "il y a 66 ans".
        ("douleur poitrine qui descend dans le bras gauche, j'ai 66 ans", "chest_pain"),
        # A third person's report keeps its weight before a question tag.
        ("my husband has chest pain after needling, is that common?", "chest_pain"),
        # A sign stated before a question about what it means is a report.
        ("crushing chest pain and sweating, what are the signs of a heart attack?", "chest_pain"),
        ("dads face is drooping, how do I know if its a stroke?", "stroke_signs"),
        ("mon mari a le visage croche, comment savoir si c'est un AVC?", "stroke_signs"),
        ("chest pain after needling, is that common?", "chest_pain"),
        (
            "I read that chest pain after IMS is rare but I have crushing chest pain right now",
            "chest_pain",
        ),
        # Farewells and plans said without the word, in several languages: the crisis reply.
        ("I've said goodbye to everyone and put my affairs in order tonight", SUICIDE_RULE),
        ("you'll all be better off when I'm not around", SUICIDE_RULE),
        ("jveux plus vivre, j'ai tout préparé pour ce soir", SUICIDE_RULE),
        ("ya escribí cartas de despedida para mis hijos", SUICIDE_RULE),
        ("我写好了告别信，今晚把药全吃了", SUICIDE_RULE),
        ("ho scritto lettere d'addio, stanotte prendo tutte le pillole", SUICIDE_RULE),
        # A treatment question about a sign someone has now still escalates.
        ("my husband has a collapsed disc, can IMS help?", "someone_collapsed"),
    ],
)
def test_reports_in_shorthand_with_a_question_tag_or_without_the_word_are_emergencies(
    detector: EmergencyDetector, text: str, rule_id: str
) -> None:
    hit = detector.detect(text)
    assert hit is not None and hit.rule_id == rule_id, (text, hit)


@pytest.mark.parametrize(
    "text",
    [
        "hx anaphylaxis to penicillin, does the clinic use any meds",
        "my dad had a stroke two years ago and his arm is still weak, can IMS help?",
        "after my heart surgery last year my chest wall is still sore, can IMS help?",
        "j'ai eu un infarctus en 2017, tout est correct maintenant, je peux venir?",
        "mon père a fait un AVC il y a 3 ans, est-ce qu'il peut venir?",
        "My friend said she got a collapsed lung from needling, is that common?",
        "If I get short of breath after, should I go to the ER?",
        "what would heavy bleeding after IMS look like",
        "Is chest pain after IMS a sign of something serious?",
        "comment je saurais si j'ai un pneumothorax apres le traitement?",
        "my boss is going to have a stroke when he sees the bill",
        "Vos tarifs m'ont presque fait faire un infarctus, haha",
        "my legs are dead after the marathon",
        "I'm gone for two weeks in March, can I book after?",
        # Years ago in the languages the notice answers, and history inside CJK words.
        "¿puedo hacer IMS si tuve un derrame cerebral hace cinco años?",
        "mio padre ha avuto un ictus due anni fa, può venire?",
        "我以前有过中风，现在可以做IMS吗？",
        "작년에 뇌졸중이 있었는데 IMS 받아도 되나요?",
        # The writer well now after old history: "ahora" of a state, not of a sign.
        "tuve un infarto hace ocho años y ahora estoy bien, ¿me pueden atender?",
        "há seis anos tive um derrame, agora estou bem, posso fazer IMS?",
    ],
)
def test_history_risk_questions_hearsay_and_idioms_are_not_emergencies(
    detector: EmergencyDetector, text: str
) -> None:
    assert detector.detect(text) is None, text


def test_chat_french_contractions_read_as_two_words() -> None:
    assert normalise_words("jveux plus vivre") == ["je", "veux", "plus", "vivre"]
    assert normalise_words("chu pu capable") == ["je", "suis", "pu", "capable"]


@pytest.mark.parametrize(
    "text",
    [
        "mi papá de repente no puede mover el brazo y habla raro",
        "我妈突然一侧肢体无力，说话不清",
        "papa achanak ulta seedha bol rahe hain",
        "갑자기 한쪽 팔에 힘이 없고 말이 어눌해요",
        # History and a sign now: the present wins.
        "我去年中风过，今天突然说话不清",
        "mi papá tuvo un derrame hace dos años y ahora de repente no puede hablar",
    ],
)
def test_sudden_stroke_signs_in_other_languages_get_the_emergency_reply(
    stage: SafetyStage, text: str
) -> None:
    assert screen_level(stage, text) == "emergency", text


@pytest.fixture(scope="module")
def probe() -> list[dict[str, str]]:
    return labelled_items(PROBE, 100)


def test_public_wording_probe_emergencies_get_the_emergency_reply(
    stage: SafetyStage, probe: list[dict[str, str]]
) -> None:
    emergencies = sum(i["expect"] == "emergency" for i in probe)
    missed = missed_emergencies(stage, probe)
    assert len(missed) <= (1 - PROBE_RECALL_FLOOR) * emergencies, missed


def test_public_wording_probe_look_alikes_rarely_get_the_911_reply(
    stage: SafetyStage, probe: list[dict[str, str]]
) -> None:
    alarms, benign = false_alarms(stage, probe)
    assert len(alarms) <= FALSE_ALARM_CEILING * benign, alarms


def test_the_report_shows_the_grammar_built_into_the_screen() -> None:
    out = StringIO()
    write_report(load_emergency_content(REPO / "content"), out)
    report = out.getvalue()
    assert "Built into the screen" in report
    assert "'hx'" in report and "il y a N ans" in report and "how do i know if" in report


def _content_copy(tmp_path: Path, old: str, new: str) -> Path:
    for name in ("emergency.yaml", "urgent.yaml", "safety_languages.yaml"):
        text = (REPO / "content" / name).read_text(encoding="utf-8")
        if name == "emergency.yaml":
            assert text.count(old) == 1
            text = text.replace(old, new)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


HISTORY_WORDS = "      en: [ive had, i ve had, have had,"


def test_an_answer_is_read_as_history_with_the_clinics_words(tmp_path: Path) -> None:
    shipped = load_emergency_content(REPO / "content").detector()
    answer = normalise_words("asthma, flares up now and again")
    assert not shipped.tells_history(answer)
    assert shipped.tells_history(normalise_words("asthma, sometimes short of breath"))
    assert not shipped.tells_history(normalise_words("asthma, sometimes, but this is new"))
    # The history words are the clinic's content: a clinic adds its patients' wording.
    added = _content_copy(tmp_path, HISTORY_WORDS, f"{HISTORY_WORDS} now and again,")
    assert load_emergency_content(added).detector().tells_history(answer)


def test_a_broken_history_pattern_is_reported_at_its_line(tmp_path: Path) -> None:
    old = '    - "as a (kid|child|teen)"\n'
    broken = _content_copy(tmp_path, old, '    - "as a {childhood_words}"\n')
    problems = [str(problem) for problem in read_emergency_files(broken)[1]]
    line = (REPO / "content" / "emergency.yaml").read_text(encoding="utf-8")
    number = line[: line.index(old)].count("\n") + 1
    assert len(problems) == 1
    expected = f"emergency.yaml:{number}: pattern in 'context': no word list 'childhood_words'"
    assert expected in problems[0]


def test_the_report_lists_the_history_words_per_language() -> None:
    out = StringIO()
    write_report(load_emergency_content(REPO / "content"), out)
    report = out.getvalue()
    assert "{history_told} [en] ive had;" in report
    assert "{history_told} [fr] j ai eu;" in report
    assert "{history_turned_to_now} [fr]" in report
    assert "An answer to a question about history is history when it tells one of these" in report
