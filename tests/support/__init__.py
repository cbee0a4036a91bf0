"""Helpers every test area shares, one home each: logging in and CSRF tokens (web), signed
Twilio webhooks and the Twilio stand-in (twilio), row counts (counts)."""
