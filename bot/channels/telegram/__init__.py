"""The Telegram channel: python-telegram-bot v22 over the conversation core."""
