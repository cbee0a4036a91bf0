"""The padrón de afiliados: import of the state extract, look-ups through a configurable backend,
and the bot's guarded answer about one's own affiliation (docs/padron.md)."""
