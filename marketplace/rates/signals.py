"""Sent after a commit that changed rates, with the changed currency codes. Layers above (listings'
reference prices) listen; this app never imports them."""

from __future__ import annotations

from django.dispatch import Signal

rates_changed = Signal()  # sender: ExchangeRate, currencies: list[str]
