"""lxera-pipeline: the event-driven backbone of the course-content and video pipeline."""

__version__ = "0.1.0"
