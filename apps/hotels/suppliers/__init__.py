"""Hotel suppliers the catalogue is synced from.

base.py is the supplier-neutral interface and records, tbo.py the TBO client, fake_tbo.py
a local TBO stand-in, registry.py the suppliers by name. (Nothing is imported here so
that the fake runs on its own, without Django settings.)
"""
