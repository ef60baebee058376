"""The public portal (一公开): anonymous, read-only pages built only from published selectors.

Everything the portal reads goes through `selectors.py`, which starts from `published()` / `public()`
querysets, so a draft plan, a draft scheme or a draw in progress can never reach a page.
"""
