"""The pure market domain: units, intervals, orders and the clearing engine.

Nothing here touches a chain, a bus or HTTP: it imports and tests with none of them.
"""
