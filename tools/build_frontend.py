"""Build the NHS.UK frontend into build/frontend from node_modules (run by `make`).

- static/nhsuk/: nhsuk-frontend's compiled CSS and JS, served under /static/nhsuk/.
- root/assets/: its images and manifest, served at /assets/ because its stylesheet asks there.
- static/axe/: axe-core, for the browser tests' accessibility checks.
The Frutiger web font lives on a host this service does not depend on, so its @font-face
rules are removed and the stylesheet's Arial fallback is used.
"""

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"
OUT = ROOT / "build" / "frontend"


def main() -> int:
    if not DIST.exists():
        print("nhsuk-frontend is not installed: run `npm ci` first", file=sys.stderr)
        return 1
    if OUT.exists():
        shutil.rmtree(OUT)
    static = OUT / "static" / "nhsuk"
    static.mkdir(parents=True)
    css = (DIST / "nhsuk-frontend.min.css").read_text()
    css = re.sub(r"@font-face\{[^}]*\}", "", css)
    (static / "nhsuk-frontend.min.css").write_text(css)
    shutil.copy(DIST / "nhsuk-frontend.min.js", static / "nhsuk-frontend.min.js")
    shutil.copytree(DIST / "assets", OUT / "root" / "assets")
    axe = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if axe.exists():
        (OUT / "static" / "axe").mkdir()
        shutil.copy(axe, OUT / "static" / "axe" / "axe.min.js")
    version = (DIST.parent.parent / "package.json").read_text()
    match = re.search(r'"version":\s*"([^"]+)"', version)
    print(f"built nhsuk-frontend {match.group(1) if match else '?'} into {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
