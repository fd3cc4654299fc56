"""Zoho HTTP: the only layer that speaks to Zoho CRM. No Qt here."""
