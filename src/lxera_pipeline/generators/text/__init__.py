"""Text generators: research, module writing, enhancement, narration scripts and quality scoring.

Offline rule-based defaults live in `rule_based*.py`; `openai_chat.py` implements the same ports
through any OpenAI-compatible chat endpoint; `factory.build_text_ports` picks one from settings.
"""
