"""Uploaded files: accepting them (``service.py``), and reading them in blocks (``reading.py``)."""
