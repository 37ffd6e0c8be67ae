#!/usr/bin/env bash
# The README's main job as a newcomer meets it: a fresh clone of this repository's HEAD, the
# install into .venv and `vosbench reproduce`, each timed; then whether any measured value
# other than FPS moved against the committed reports (it must not, on either machine kind).
#
#   benchmarks/bench_main_job.sh            # prints the machine, the times and the verdict
#
# Run it on a quiet machine: the times are what the README quotes.
set -euo pipefail
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/vosbench"
cd "$work/vosbench"
start=$(date +%s)
python3 -m venv .venv
.venv/bin/pip install -q -e .
installed=$(date +%s)
.venv/bin/vosbench reproduce --quiet
finished=$(date +%s)
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u '+%F %H:%M UTC'); commit $(git rev-parse --short HEAD)"
echo "install $((installed - start)) s, vosbench reproduce $((finished - installed)) s, main job $((finished - start)) s"
# every measured value but FPS (J&F cells and per-object scores) against the committed files
.venv/bin/python - <<'EOF'
import json
import subprocess
from pathlib import Path

moved = []
for path in sorted(Path("reports/measured").glob("*/*.json")):
    committed = json.loads(subprocess.run(["git", "show", f"HEAD:{path}"], capture_output=True, text=True).stdout or "{}")
    now = json.loads(path.read_text())
    if not isinstance(now, dict) or "rows" not in now:
        continue
    before = {row["label"]: row for row in committed.get("rows", [])}
    for row in now["rows"]:
        old = before.get(row["label"])
        values = {k: v for k, v in row["values"].items() if k != "fps"}
        if old is None or values != {k: v for k, v in old["values"].items() if k != "fps"}:
            moved.append(f"{path}: {row['label']}")
        elif row["per_object"] != old["per_object"]:
            moved.append(f"{path}: {row['label']} (per object)")
print("measured values: all as committed" if not moved else "measured values MOVED:\n  " + "\n  ".join(moved))
raise SystemExit(1 if moved else 0)
EOF
