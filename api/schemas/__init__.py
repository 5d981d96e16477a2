"""Request and response models, one module per resource family. Integers only for money
and energy, units in the field names: `_wh`, `_credit`, `_per_kwh` (credit units per kWh)."""
