"""The verifier page of the portal: the standalone verifiers, served by the portal itself (issue 16, item 6).

`wheel.py` builds a wheel of the pure draw package; `verify_draw.py` is a standard-library-only script, a program
of its own (never imported here, only served as a file); `views.py` serves the page and both downloads.
"""
