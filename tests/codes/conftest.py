import sys
from pathlib import Path

# These tests run without the Django plugin (``-p no:django``), which is what would otherwise put the project
# root on sys.path; make the package importable from a plain checkout without installing it.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
