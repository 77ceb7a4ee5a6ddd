"""Personal data: records kept as long as the law asks and no longer, account deletion, data export.

It sits above payments (it reads and pseudonymises orders, unlocks, ledger) and below the
interfaces, which call its services.
"""
