#!/usr/bin/env bash
# The GPU figures the manual quotes, in one short run on a CUDA machine (about 6 minutes on an
# H200): SITVOS's and STM's FPS on a 480p video with 2 objects (fp32 as the paper measured, and
# bf16), the paper-scale cost of an iteration of each training stage (384x384, batch 4,
# ResNet-50; it/s and peak GPU memory from each run's summary.json), and the quick main job on
# the GPU, with every trained row's J&F beside the committed (CPU) value.
#
#   COCO=../shared/datasets/coco-tiny benchmarks/gpu_figures.sh [OUT]
#
# VOSBENCH names the command (default .venv/bin/vosbench), PYTHON the interpreter.
set -euo pipefail
OUT=${1:-runs/gpu-figures}
COCO=${COCO:-../shared/datasets/coco-tiny}
VOSBENCH=${VOSBENCH:-.venv/bin/vosbench}
PYTHON=${PYTHON:-.venv/bin/python}
ITERATIONS=${ITERATIONS:-60}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
"$PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())'

echo "== inference speed (benchmarks/bench_sitvos.py, random weights, 200 frames, 10 warm-up)"
for args in "--method sitvos" "--method sitvos --precision bf16" "--method stm" "--method stm --precision bf16" \
    "--method sitvos --variant official"; do
    # shellcheck disable=SC2086  # the arguments are words on purpose
    "$PYTHON" benchmarks/bench_sitvos.py --device cuda --frames 200 $args
done

echo "== training speed at paper scale ($ITERATIONS iterations a stage, 384x384, batch 4, ResNet-50)"
demo="$OUT/demo-data"
"$VOSBENCH" make-demo-data --out "$demo" > /dev/null
common=(--device cuda --iterations "$ITERATIONS" --size 384 --batch-size 4 --workers 8
        --backbone-init random --log-every 10 --checkpoint-every "$ITERATIONS" --quiet)
"$VOSBENCH" train --stage pretrain --coco-root "$COCO" \
    --coco-ann "$COCO/annotations/instances_train2017.json" --out "$OUT/pretrain" "${common[@]}"
"$VOSBENCH" train --stage main --davis-dataset davis2017 --davis-root "$demo/DAVIS" \
    --youtube-root "$demo/YouTube" --out "$OUT/main" "${common[@]}"
for stage in pretrain main; do echo "$stage: $(cat "$OUT/$stage/summary.json")"; done

echo "== the quick main job on the GPU, against the committed CPU values"
cp -r reports/measured "$OUT/committed-measured"
start=$(date +%s)
"$VOSBENCH" reproduce --device cuda --quiet --work "$OUT/work"
echo "vosbench reproduce --device cuda: $(($(date +%s) - start)) s"
"$PYTHON" - "$OUT/committed-measured" <<'EOF'
import json
import sys
from pathlib import Path

for path in sorted(Path("reports/measured").glob("*/*.json")):
    old = Path(sys.argv[1]) / path.parent.name / path.name
    now, before = json.loads(path.read_text()), json.loads(old.read_text())
    if not isinstance(now, dict) or "rows" not in now or now == before:  # a set the job left alone
        continue
    committed = {row["label"]: row["values"] for row in before["rows"]}
    for row in now["rows"]:
        for key, value in row["values"].items():
            if key.endswith("_jf") and value is not None:
                was = committed.get(row["label"], {}).get(key)
                print(f"{path.parent.name}/{path.stem}: {row['label']} {key}: GPU {100 * value:.1f}, "
                      f"committed (CPU) {100 * was:.1f}" if was is not None else f"{row['label']}: new")
EOF
