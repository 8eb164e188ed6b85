#!/usr/bin/env bash
# The staged GAN schedule that produced weights/realism/ (run from the repository root).
#
# Each stage continues the previous stage's checkpoint (--resume-from) in its own folder with
# changed loss weights; --steps counts from the first stage. Re-running resumes where it stopped.
# 19,000 steps in total: 56 min of wall time on 2 CPU cores (log.csv timestamps). Afterwards:
#   cp runs/ganJ/step-19000/{config.json,model.safetensors} weights/realism/
set -euo pipefail
gan() { python -m train.gan --init weights/fidelity "$@"; }

gan --out runs/ganC --steps 6000 --w-energy 4 --w-grad 3 --w-adv 0.02 --seed 2 --val-every 250
gan --out runs/ganD --resume-from runs/ganC --steps 9000 --w-energy 8 --w-grad 3 --w-adv 0.02 --seed 3 --val-every 500
# keep coarse structure on the faithful estimate (blurred L1) while asking for more detail
gan --out runs/ganE --resume-from runs/ganD --steps 11000 --w-energy 8 --w-grad 3 --w-adv 0.02 --w-low 5 --seed 4 --val-every 500
gan --out runs/ganF --resume-from runs/ganE --steps 13000 --w-energy 12 --w-grad 3 --w-adv 0.02 --w-low 12 --seed 5 --val-every 500
gan --out runs/ganG --resume-from runs/ganF --steps 15000 --w-energy 16 --w-grad 3 --w-adv 0.02 --w-low 20 --seed 6 --val-every 500
gan --out runs/ganH --resume-from runs/ganG --steps 17000 --w-energy 24 --w-grad 3 --w-adv 0.02 --w-low 32 --seed 7 --val-every 500
# remove the faint LR-grid pattern the detail pressure had grown (train.gan.grid_loss)
gan --out runs/ganJ --resume-from runs/ganH --steps 19000 --w-energy 24 --w-grad 3 --w-adv 0.02 --w-low 32 --w-grid 100 --seed 9 --val-every 500
