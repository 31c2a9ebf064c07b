"""Generators behind small interfaces (ports): text, quality, slides, narration, video, storage.

Each port is a Protocol in `ports.py` with an offline default that really does its job; settings
choose another implementation (e.g. an OpenAI-compatible endpoint or Supabase Storage).
"""
