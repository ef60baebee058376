"""The package build copies the user manual (docs/用户手册.md) into shuangsuiji/web/manual/, so that an installed
package shows it at /help/ without the repository (shuangsuiji/web/help.py, ADR 0019). Everything else is in
pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

MANUAL = Path(__file__).resolve().parent / "docs" / "用户手册.md"


class BuildPyWithManual(build_py):
    def run(self):
        super().run()
        if MANUAL.is_file():  # absent only in an sdist built without it (MANIFEST.in includes it)
            target = Path(self.build_lib) / "shuangsuiji" / "web" / "manual" / MANUAL.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(MANUAL, target)


setup(cmdclass={"build_py": BuildPyWithManual})
