"""Alerts: routes, message content, channels and the delivery ledger for recipients; operator notices."""
