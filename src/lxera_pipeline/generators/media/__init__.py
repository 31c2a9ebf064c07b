"""Media generators: slide images and exports, narration, video assembly and asset storage.

The ports (Protocols) are in `ports.py`, the data they exchange in `models.py`; `factory.py`
builds the implementations chosen by the settings.
"""
