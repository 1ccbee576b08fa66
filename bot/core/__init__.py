"""The channel-independent conversation core: replies, buttons and routing."""
