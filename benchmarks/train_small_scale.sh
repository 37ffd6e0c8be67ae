#!/usr/bin/env bash
# Both training stages at small scale on the real data in ../shared/datasets, then SITVOS on
# DAVIS 2016 val with the result: the figures issue 6 asks for (it/s, peak memory, J&F, device).
#
#   benchmarks/train_small_scale.sh                       # CUDA, 3000 iterations a stage
#   DEVICE=cpu ITERATIONS=20 SIZE=96 RUN_ARGS="--set size=96 --sequences blackswan" \
#       benchmarks/train_small_scale.sh                   # a CPU smoke run of the same steps
#
# WORKERS (data-loading processes) defaults to 4 on CUDA and to 1 on CPU, where the
# network's own threads need the cores (PyTorch warns when workers exceed them).
#
# Stage 1 reads coco-tiny (160 COCO 2017 images), stage 2 the 12 DAVIS 2016 *train* sequences
# (ImageSets/480p/train.txt); nothing trains or selects on val, which is only scored at the end.
# Each `vosbench train` prints its iterations per second and peak memory and writes them to
# OUT/<stage>/summary.json. BACKBONE=imagenet needs torchvision's ResNet files in the torch cache;
# from random backbones LR defaults to 1e-4, the quick mode's rate (the paper's 1e-5 is for ImageNet).
set -euo pipefail
DATA=${DATA:-../shared/datasets}
DEVICE=${DEVICE:-cuda}
ITERATIONS=${ITERATIONS:-3000}
SIZE=${SIZE:-384}
BATCH=${BATCH:-4}
LR=${LR:-1e-4}
BACKBONE=${BACKBONE:-random}
if [ "$DEVICE" = cpu ]; then WORKERS=${WORKERS:-1}; else WORKERS=${WORKERS:-4}; fi
OUT=${OUT:-runs/small-scale}
VOSBENCH=${VOSBENCH:-.venv/bin/vosbench}
read -r -a run_args <<< "${RUN_ARGS:-}"  # extra `vosbench run` arguments

common=(--device "$DEVICE" --iterations "$ITERATIONS" --size "$SIZE" --batch-size "$BATCH" --lr "$LR"
        --workers "$WORKERS" --resume)
"$VOSBENCH" train --stage pretrain --coco-root "$DATA/coco-tiny" \
    --coco-ann "$DATA/coco-tiny/annotations/instances_train2017.json" \
    --backbone-init "$BACKBONE" --out "$OUT/pretrain" "${common[@]}"
"$VOSBENCH" train --stage main --davis-dataset davis2016 --davis-root "$DATA/DAVIS2016" \
    --init "$OUT/pretrain/last.pth" --out "$OUT/main" "${common[@]}"
"$VOSBENCH" run --method sitvos --set checkpoint="$OUT/main/last.pth" --device "$DEVICE" \
    --dataset davis2016 --root "$DATA/DAVIS2016" --out "$OUT/davis2016-val" ${run_args[@]+"${run_args[@]}"}
