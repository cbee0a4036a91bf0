"""Text rules shared by every layer (one home each): Spanish sound-alike keys, for now."""
