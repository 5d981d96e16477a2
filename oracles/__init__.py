"""Input oracles (meter, price, order) and output oracles (trade, battery, voucher).

They meet the API only on the chain and on the bus, never by import.
"""
