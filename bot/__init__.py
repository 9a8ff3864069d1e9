"""The UNHCR Kazakhstan information bot's core: content, understanding and replies."""
