"""Cross-step checks of a flow: references, order, reachability, flags and scores."""

from __future__ import annotations

from collections.abc import Sequence

from bot.content.problems import Problem
from bot.content.schema import ProblemLog
from bot.intake.answers import normalise
from bot.intake.flow import (
    TREATMENT_CONSENT_OPTIONS,
    Condition,
    ConditionOp,
    Flow,
    Step,
)
from bot.intake.step_types import COMMAND_WORDS, KINDS

_OPTION_OPS = frozenset({ConditionOp.EQUALS, ConditionOp.INCLUDES, ConditionOp.ANY_OF})


def _check_ids(flow: Flow, file: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for step in flow.steps:
        if step.id in seen:
            problems.append(Problem(file, step.line, f"duplicate step id {step.id!r}"))
        if step.id and not step.id.replace("_", "").isalnum():
            problems.append(
                Problem(file, step.line, f"step id {step.id!r}: use letters, digits and '_'")
            )
        seen.add(step.id)
    return problems


def _condition_values(condition: Condition) -> list[object]:
    value = condition.value
    return list(value) if isinstance(value, list) else [value]


def _check_condition(
    flow: Flow,
    step: Step | None,
    condition: Condition,
    file: str,
    what: str = "",
    broken: frozenset[str] = frozenset(),
) -> list[Problem]:
    """One `when` condition of `step` (or, with `step` None, of a flag rule)."""
    what = what or f"step {step.id if step else '?'!r}: when"
    target_index = flow.index_of(condition.step)
    if target_index < 0:
        if condition.step in broken:
            # The step exists but could not be read; its own problem is the cause.
            return []
        return [Problem(file, condition.line, f"{what} refers to unknown step {condition.step!r}")]
    if step is not None and target_index >= flow.index_of(step.id):
        return [
            Problem(
                file,
                condition.line,
                f"{what} points forward at {condition.step!r}; it must refer to an earlier step",
            )
        ]
    target = flow.steps[target_index]
    if condition.op is ConditionOp.ANSWERED:
        if not isinstance(condition.value, bool):
            return [Problem(file, condition.line, f"{what}: 'answered' must be true or false")]
        return []
    if condition.op in (ConditionOp.GT, ConditionOp.LT):
        if not KINDS[target.type].numeric:
            return [Problem(file, condition.line, f"{what}: gt/lt need a scale or number step")]
        if isinstance(condition.value, bool) or not isinstance(condition.value, int | float):
            return [Problem(file, condition.line, f"{what}: gt/lt need a number")]
        return []
    if condition.op is ConditionOp.ANY_OF and not isinstance(condition.value, list):
        return [Problem(file, condition.line, f"{what}: 'any_of' needs a list")]
    if KINDS[target.type].yes_no:
        if not all(isinstance(value, bool) for value in _condition_values(condition)):
            return [Problem(file, condition.line, f"{what}: a yes/no step is compared with yes/no")]
        return []
    if KINDS[target.type].has_options:
        problems = []
        for value in _condition_values(condition):
            if target.option(str(value)) is None:
                problems.append(
                    Problem(
                        file,
                        condition.line,
                        f"{what}: step {target.id!r} has no option {value!r}; "
                        f"options: {', '.join(option.id for option in target.options)}",
                    )
                )
        return problems
    if not KINDS[target.type].has_answer:
        return [Problem(file, condition.line, f"{what}: an info step has no answer to compare")]
    if KINDS[target.type].numeric:
        if condition.op is ConditionOp.EQUALS and isinstance(condition.value, int | float):
            return []
        return [
            Problem(
                file,
                condition.line,
                f"{what}: a {target.type.value} step is compared with equals (a number), gt or lt",
            )
        ]
    return [
        Problem(
            file, condition.line, f"{what}: a free-text step can only be tested with 'answered'"
        )
    ]


def _impossible(flow: Flow, condition: Condition) -> bool:
    target = flow.step(condition.step)
    if target is None or isinstance(condition.value, bool):
        return False
    bottom, top = KINDS[target.type].bounds(target)
    if condition.op is ConditionOp.GT and isinstance(condition.value, int | float):
        return top is not None and condition.value >= top
    if condition.op is ConditionOp.LT and isinstance(condition.value, int | float):
        return bottom is not None and condition.value <= bottom
    return False


def _contradictory(conditions: tuple[Condition, ...]) -> bool:
    equals: dict[str, object] = {}
    for condition in conditions:
        if condition.op is not ConditionOp.EQUALS:
            continue
        if condition.step in equals and equals[condition.step] != condition.value:
            return True
        equals[condition.step] = condition.value
    return False


def _check_reachability(flow: Flow, file: str) -> list[Problem]:
    problems: list[Problem] = []
    unreachable: set[str] = set()
    for step in flow.steps:
        reason = ""
        if _contradictory(step.when):
            reason = "its 'when' conditions contradict each other"
        elif any(_impossible(flow, condition) for condition in step.when):
            reason = "a 'when' condition can never hold for that step's range"
        elif any(
            condition.step in unreachable and condition.op is not ConditionOp.ANSWERED
            for condition in step.when
        ):
            reason = "it depends on a step that can never be shown"
        if reason:
            unreachable.add(step.id)
            problems.append(Problem(file, step.line, f"step {step.id!r} is unreachable: {reason}"))
    return problems


def _check_flags(flow: Flow, file: str) -> list[Problem]:
    problems: list[Problem] = []
    for step in flow.steps:
        references = [(option.flag, f"option {option.id!r}") for option in step.options]
        references.append((step.yes_flag, "yes_flag"))
        for flag_id, where in references:
            if flag_id is None:
                continue
            flag = flow.flags.get(flag_id)
            if flag is None:
                problems.append(
                    Problem(file, step.line, f"step {step.id!r} {where}: unknown flag {flag_id!r}")
                )
            elif not flag.message:
                problems.append(
                    Problem(file, step.line, f"flag {flag_id!r} has no message for the patient")
                )
    return problems


def _check_rules(flow: Flow, file: str, broken: frozenset[str]) -> list[Problem]:
    """Flag rules and score bands name known flags; rule conditions are well formed."""
    problems: list[Problem] = []
    for rule in flow.rules:
        what = f"rule for flag {rule.flag!r}: when"
        if rule.flag not in flow.flags:
            problems.append(Problem(file, rule.line, f"rule: unknown flag {rule.flag!r}"))
        for condition in rule.when:
            problems.extend(_check_condition(flow, None, condition, file, what, broken))
    for score in flow.scores:
        for band in score.bands:
            if band.flag is not None and band.flag not in flow.flags:
                problems.append(
                    Problem(file, 1, f"score {score.id!r}: band flag {band.flag!r} is unknown")
                )
    return problems


def _check_treatment_consent(flow: Flow, file: str) -> list[Problem]:
    problems: list[Problem] = []
    wanted = ", ".join(TREATMENT_CONSENT_OPTIONS)
    for step in flow.steps:
        if not KINDS[step.type].treatment_consent:
            continue
        ids = tuple(option.id for option in step.options)
        if sorted(ids) != sorted(TREATMENT_CONSENT_OPTIONS):
            problems.append(
                Problem(
                    file,
                    step.line,
                    f"step {step.id!r}: a treatment_consent step needs exactly the options "
                    f"{wanted} (the labels are yours to word)",
                )
            )
        if step.when:
            problems.append(
                Problem(file, step.line, f"step {step.id!r}: treatment consent cannot have 'when'")
            )
    return problems


def _check_consent(flow: Flow, file: str) -> list[Problem]:
    consents = [step for step in flow.steps if KINDS[step.type].data_consent]
    questions = flow.questions
    if not consents:
        return [Problem(file, 1, "the flow needs a consent step before the first question")]
    problems = []
    if len(consents) > 1:
        problems.append(Problem(file, consents[1].line, "the flow may have only one consent step"))
    if questions and questions[0] is not consents[0]:
        problems.append(
            Problem(file, consents[0].line, "the consent step must come before every question")
        )
    if consents[0].when:
        problems.append(Problem(file, consents[0].line, "the consent step cannot have 'when'"))
    return problems


def _check_scores(flow: Flow, file: str, broken: frozenset[str]) -> list[Problem]:
    problems: list[Problem] = []
    for score in flow.scores:
        for step_id in score.steps:
            step = flow.step(step_id)
            if step is None and step_id in broken:
                continue
            if step is None:
                problems.append(
                    Problem(file, 1, f"score {score.id!r} refers to unknown step {step_id!r}")
                )
            elif not KINDS[step.type].scored:
                problems.append(
                    Problem(file, step.line, f"score {score.id!r}: {step_id!r} is not a choice")
                )
            elif any(option.weight is None for option in step.options):
                problems.append(
                    Problem(
                        file,
                        step.line,
                        f"score {score.id!r}: give every option of {step_id!r} a weight",
                    )
                )
    return problems


def check_flow_logic(flow: Flow, file: str, broken: frozenset[str] = frozenset()) -> list[Problem]:
    """Problems that need the whole flow to see. `broken` names steps that are in the file
    but could not be read: references to them are not reported again as unknown steps."""
    problems = _check_ids(flow, file)
    for step in flow.steps:
        for condition in step.when:
            problems.extend(_check_condition(flow, step, condition, file, broken=broken))
    problems.extend(_check_reachability(flow, file))
    problems.extend(_check_flags(flow, file))
    problems.extend(_check_consent(flow, file))
    problems.extend(_check_scores(flow, file, broken))
    problems.extend(_check_rules(flow, file, broken))
    problems.extend(_check_treatment_consent(flow, file))
    return problems


def check_typed_names(
    log: ProblemLog,
    line: int,
    option_id: str,
    label: str,
    aliases: Sequence[str],
    names: dict[str, str],
    what: str,
) -> None:
    """An option's label, id and aliases are what a patient may type for it: each must
    pick only that option, and an alias must not be a number or a word such as "done"
    that already means something else (`names`: each typed name seen so far and the
    option it picks)."""
    for alias in aliases:
        typed = normalise(alias)
        if typed.isdecimal() or typed in COMMAND_WORDS:
            log.add(
                line,
                f"{what}: alias {alias!r} of {option_id!r} is a number or a command "
                "word the patient types for something else; remove it",
            )
    for name in (label, option_id.replace("_", " "), *aliases):
        typed = normalise(name)
        owner = names.setdefault(typed, option_id)
        if typed and owner != option_id:
            log.add(
                line,
                f"{what}: {name!r} names both {owner!r} and {option_id!r}; typed, "
                "it would pick the first: give each option its own words",
            )
