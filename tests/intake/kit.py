"""Shared pieces of the intake tests: a patient that taps and types through the Assistant."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.config import Settings, load_settings
from bot.core.assistant import Assistant, ChatRef
from bot.core.privacy import register_privacy_commands
from bot.core.replies import Reply
from bot.intake.conversation import (
    IntakeConversation,
    register_intake_personal_data,
    register_intake_routes,
)
from bot.intake.engine import IntakeEngine, IntakeState, Typed
from bot.intake.flow_file import LoadedFlow, load_flow_file
from bot.intake.repository import IntakeRepository
from bot.storage.database import Database

REPO = Path(__file__).resolve().parents[2]
SHIPPED_FLOW = REPO / "content" / "intake_flow.yaml"
TEST_KEY = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ="
PATIENT = 5551234


def runtime_settings(tmp_path: Path) -> Settings:
    """Settings for a whole runtime (the shipped content) on a database under `tmp_path`."""
    return load_settings(
        {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
            "IMS_DATA_DIR": str(tmp_path / "data"),
            "DATA_ENCRYPTION_KEY": TEST_KEY,
        },
        read_dotenv=False,
    )


class RecordingFaq:
    """Stands in for the FAQ feature: answers any side question with a fixed reply."""

    def __init__(self) -> None:
        self.questions: list[str] = []

    async def answer(self, chat: ChatRef, text: str) -> list[Reply]:
        self.questions.append(text)
        return [Reply("FAQ answer: IMS uses fine needles.")]


@dataclass
class Patient:
    """One chat talking to the Assistant; remembers the last replies it got."""

    assistant: Assistant
    chat: ChatRef = field(default_factory=lambda: ChatRef(PATIENT, first_name="Maya"))
    last: list[Reply] = field(default_factory=list)

    async def command(self, name: str, *args: str) -> list[Reply]:
        self.last = await self.assistant.handle_command(self.chat, name, args)
        return self.last

    async def say(self, text: str) -> list[Reply]:
        self.last = await self.assistant.handle_text(self.chat, text)
        return self.last

    async def press(self, action: str) -> list[Reply]:
        self.last = await self.assistant.handle_action(self.chat, action)
        return self.last

    def button(self, label: str, replies: list[Reply] | None = None) -> str:
        """The action of the button whose label contains `label` in the latest replies."""
        for reply in reversed(replies if replies is not None else self.last):
            for button in reply.buttons:
                if label.lower() in button.label.lower():
                    return button.action
        raise AssertionError(f"no button {label!r} in {[r.text[:60] for r in self.last]}")

    async def tap(self, label: str) -> list[Reply]:
        return await self.press(self.button(label))

    async def start_and_answer_until(self, name: str) -> list[Reply]:
        """/intake, then the kit's typed answers up to the one named `name`."""
        await self.command("intake")
        for text in typed_until(name):
            await self.say(text)
        return self.last

    async def change(self, number: str) -> list[Reply]:
        """On the review: open the page of answers holding `number`, then tap its Change."""
        count = len([b for r in self.last for b in r.buttons if " to " in b.label])
        for index in range(count):
            # Each screen has new buttons (a revision): the page is read from the latest.
            pages = [b for r in self.last for b in r.buttons if " to " in b.label]
            await self.press(pages[index].action)
            exact = [b for r in self.last for b in r.buttons if b.label == f"Change {number}"]
            if exact:
                return await self.press(exact[0].action)
            await self.tap("Back to all answers")
        raise AssertionError(f"no answer {number} on the review")

    @property
    def text(self) -> str:
        return "\n".join(reply.text for reply in self.last if not reply.for_staff)

    @property
    def staff(self) -> list[Reply]:
        return [reply for reply in self.last if reply.for_staff]


def build_conversation(
    database: Database, repository: IntakeRepository, loaded: LoadedFlow | None = None, **kw: object
) -> tuple[Assistant, IntakeConversation]:
    """An Assistant with only the intake feature (and /mydata, /forget) registered."""
    from bot.core.privacy import PersonalDataRegistry

    assistant = Assistant()
    conversation = IntakeConversation(
        loaded or load_flow_file(SHIPPED_FLOW),
        repository,
        assistant,
        **kw,  # type: ignore[arg-type]
    )
    register_intake_routes(conversation, assistant)
    registry = PersonalDataRegistry()
    register_intake_personal_data(conversation, registry)
    register_privacy_commands(assistant, registry)
    return assistant, conversation


# Answers that take the shipped flow from consent to the review, typed as a patient would,
# named after the step that asks them (a body-map step asks three things: the regions, the
# side of a one-sided region, the worst region).
# Typed options on a multi-choice screen are ticked, as a typed button label is: "done"
# (ending the list or alone) finishes the step.
TYPED_ANSWERS: dict[str, str] = {
    "consent": "yes",
    "completed_by": "me",
    "age": "42",
    "complaint": "Burning pain in my left shoulder blade",
    "regions": "shoulder blade, neck, done",
    "regions_side": "left",  # of the shoulder blade
    "regions_worst": "shoulder blade",
    "duration": "more than a year",
    "onset": "gradually",
    "episodes": "first time",
    "pattern": "it varies",
    "aggravating": "sitting, bending, done",
    "easing": "heat, rest, done",
    "pain_now": "7/10",
    "pain_worst": "8",
    "pain_least": "3",
    "interferes_daily": "6",
    "qualities": "burning, pins and needles, done",
    "signs": "tight, tender spots, done",
    "emergency_screen": "none",
    "urgent_screen": "none",
    "medicines": "ibuprofen when needed, vitamin D",
    "health_screen": "none",  # needling safety
    "mood_interest": "not at all",  # PHQ-2 item 1
    "mood_down": "several days",  # PHQ-2 item 2
    "imaging": "mri, done",
    "imaging_findings": "a bulging disc",
    "treatments": "physio, done",
    "treatment_effect": "physio helped a little",
    "goals": "sleep through the night",
    "treatment_consent": "I understand and agree",
    "treatment_consent_by": "me",  # who gives that answer
}
TYPED_PATH = list(TYPED_ANSWERS.values())

# The shipped flow answered as a Québec patient types, one answer per screen.
FRENCH_ANSWERS: dict[str, str] = {
    "consent": "oui",
    "completed_by": "moi",
    "age": "quarante-deux ans",
    "complaint": "Une douleur qui brûle sous l'omoplate gauche",
    "regions": "omoplate, cou, terminé",
    "regions_side": "gauche",
    "regions_worst": "omoplate",
    "duration": "depuis 8 mois",
    "onset": "petit à petit",
    "episodes": "première fois",
    "pattern": "ça varie",
    "aggravating": "assis, me pencher, terminé",
    "easing": "chaleur, repos, terminé",
    "pain_now": "7/10",
    "pain_worst": "huit",
    "pain_least": "3",
    "interferes_daily": "6",
    "qualities": "brûlure, picotements, terminé",
    "signs": "muscles tendus, points sensibles, terminé",
    "emergency_screen": "aucune",
    "urgent_screen": "non",
    "medicines": "Advil au besoin, vitamine D",
    "health_screen": "aucune",
    "mood_interest": "jamais",
    "mood_down": "plusieurs jours",
    "imaging": "irm, terminé",
    "imaging_findings": "une petite hernie discale",
    "treatments": "physio, terminé",
    "treatment_effect": "la physio a un peu aidé",
    "goals": "dormir toute la nuit",
    "treatment_consent": "j'accepte",
    "treatment_consent_by": "moi",
}


def typed_path(**changes: str) -> list[str]:
    """TYPED_PATH with the named answers changed (e.g. `typed_path(age="62")`)."""
    unknown = set(changes) - set(TYPED_ANSWERS)
    assert not unknown, f"no typed answer named {sorted(unknown)}"
    return list({**TYPED_ANSWERS, **changes}.values())


def typed_until(name: str, path: list[str] | None = None) -> list[str]:
    """The answers typed before the one named `name` (of `path`, default TYPED_PATH)."""
    return (path or TYPED_PATH)[: list(TYPED_ANSWERS).index(name)]


def state_at(engine: IntakeEngine, step_id: str) -> IntakeState:
    """The state on `step_id`, reached with the shared typed path."""
    state = engine.start()
    for text in typed_until(step_id):
        state = engine.apply(state, Typed(text)).state
    assert state.current == step_id, state.current
    return state
