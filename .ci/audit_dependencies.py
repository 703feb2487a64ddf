"""Known vulnerabilities in the installed dependencies (``make audit``).

Runs pip-audit on the virtual environment (the portal itself, installed editable, is skipped)
against PyPI's advisory data and says plainly what happened:

- a dependency with a known vulnerability: listed, exit 1;
- the advisory data could not be reached, or no package could be looked up (offline, or a
  private mirror whose versions PyPI does not know): said so, exit 0 — not audited is not
  the same as safe, and the message says which it is;
- otherwise: how many packages were audited, exit 0.
"""
from __future__ import annotations

import json
import subprocess  # nosec B404 - runs pip-audit from this virtual environment, no shell
import sys
import tempfile
from pathlib import Path


def main() -> int:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    with tempfile.TemporaryDirectory() as work:
        report = Path(work) / "pip-audit.json"
        run = subprocess.run(  # nosec B603 - fixed arguments
            [str(pip_audit), "--skip-editable", "--progress-spinner", "off", "--format", "json", "--output", str(report)],
            capture_output=True,
            text=True,
            check=False,
        )
        if not report.exists() or not report.read_text():
            reason = (run.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"pip-audit could not reach the vulnerability data; dependencies NOT audited ({reason})")
            return 0
        dependencies = json.loads(report.read_text())["dependencies"]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = [d for d in dependencies if "skip_reason" not in d]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    if vulnerable:
        return 1
    if not audited:
        print(f"pip-audit could not look up any of the {len(dependencies)} installed packages on PyPI "
              "(offline or a private mirror): dependencies NOT audited")
        return 0
    skipped = len(dependencies) - len(audited)
    print(f"pip-audit: {len(audited)} packages audited, no known vulnerability"
          + (f" ({skipped} could not be looked up)" if skipped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
