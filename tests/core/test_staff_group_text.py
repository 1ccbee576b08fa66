"""Text typed in the staff group (replies to the bot's notes reach it even in privacy mode)
is staff talking: never screened as a patient's, answered from the FAQ, or stored."""

from __future__ import annotations

from pathlib import Path

from bot.core.assistant import ChatRef
from bot.runtime import build_runtime
from tests.intake.kit import runtime_settings

STAFF_GROUP = ChatRef(-1001122334455, is_staff=True, is_private=False, first_name="Dana")


async def test_staff_group_text_gets_no_reply_no_alert_and_is_not_kept(tmp_path: Path) -> None:
    runtime = await build_runtime(runtime_settings(tmp_path))
    try:
        for text in (
            "Called Mrs Lee back re her chest pain, she is going to the ER",
            "does anyone know if Jean's warfarin dose matters for tomorrow's IMS?",
        ):
            assert await runtime.assistant.handle_text(STAFF_GROUP, text) == []
        held = await runtime.personal_data.describe(STAFF_GROUP.chat_id)
        assert not any(held.values()), held  # no staff event, no unanswered question
        # The same words from a patient still get the emergency reply.
        patient = ChatRef(4242)
        replies = await runtime.assistant.handle_text(patient, "I have chest pain right now")
        assert any("911" in reply.text for reply in replies)
    finally:
        await runtime.close()
