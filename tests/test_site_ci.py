"""The CI definitions (they cannot run here): the workflow for the public host and .ci/run both run the
README's test command verbatim with the browser tests required; the workflow also builds and publishes the site."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("**Run the tests**", 1)[1]
    return re.search(r"```bash\n(.+?)\n```", block, flags=re.S).group(1).strip()


def test_workflow_runs_the_tests_and_publishes_the_site():
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers and "pull_request" in triggers
    build = flow["jobs"]["test-and-build"]
    runs = [step.get("run", "") for step in build["steps"]]
    uses = [step.get("uses", "") for step in build["steps"]]
    assert readme_test_command() in runs
    assert str(build["env"]["MEDIMG_REQUIRE_BROWSER"]) == "1"
    assert any("apt-get install" in r and "chromium" in r for r in runs)
    assert runs.index(readme_test_command()) < runs.index(".venv/bin/python -m utils.site")
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "build/site"
    publish = flow["jobs"]["publish"]
    assert publish["needs"] == "test-and-build" and publish["permissions"]["pages"] == "write"
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in publish["steps"])


def test_ci_script_installs_chromium_requires_the_browser_and_runs_the_readme_command():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert script[-1] == readme_test_command()
    text = "\n".join(script)
    assert "apt-get install" in text and "chromium" in text and "export MEDIMG_REQUIRE_BROWSER=1" in text
