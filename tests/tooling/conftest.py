"""The spec tools are scripts in openapi/tools/, not an installed package: put them on the path.

mypy finds them through `mypy_path` in pyproject.toml.
"""

import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[2] / "openapi" / "tools"
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))
