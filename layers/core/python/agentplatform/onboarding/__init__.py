"""Onboarding: the user's progress and rewards (``service.py``) and the agents it suggests
(``recommendations.py``, the marketplace seam)."""
