#!/usr/bin/env bash
# Sweeps end to end: the tiny 3-run sweep (configs/sweeps/tiny.yaml: 16 px nets, 4 iterations per run) run locally
# with `stargan sweep --parallel 2`, then through a real one-node Slurm cluster (.ci/slurm.sh up; --submit; polled with
# `stargan sweep status --wait`), each checked for a complete summary; then the F# experiment scripts over the
# published library (compare.fsx over the Slurm sweep's runs, ablation.fsx at 2 iterations with 16 px nets, and
# train.fsx against stargan train on one tiny config).
# Called by .ci/run; also runnable alone from the repository root (as root: Slurm is installed and started here).
# Exits 1 after naming every step that failed. Keeps under artifacts/ci/sweeps/: local/ and slurm/ (the working
# folders: runs/sweeps/tiny with summary.md/csv, task records, logs, Slurm's per-task output), ablation/, *.log.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

repo=$PWD
out=$repo/artifacts/ci/sweeps
spec=$repo/configs/sweeps/tiny.yaml
dll=$repo/core/StarGanLab.Cli/bin/Debug/net10.0/stargan.dll
stargan() { dotnet "$dll" "$@"; }
status=0
fail() { echo "sweeps: FAILED: $*"; status=1; }
step() { echo "sweeps: $1 (${2}s)"; }

rm -rf "$out"
mkdir -p "$out/local" "$out/slurm"
[ -f "$dll" ] || dotnet build core/StarGanLab.Cli > "$out/build.log" 2>&1 || { tail -20 "$out/build.log"; echo "sweeps: FAILED: build"; exit 1; }

# summary_ok DIR: summary.csv has the three variants, each with its one run finished; runs.csv says finished thrice.
summary_ok() {
  local dir=$1
  [ -s "$dir/summary.md" ] || { echo "no $dir/summary.md"; return 1; }
  awk -F, 'NR > 1 && $4 != 1 { bad = 1 } END { exit bad || NR != 4 }' "$dir/summary.csv" \
    || { echo "$dir/summary.csv is not 3 variants with 1 finished run each:"; cat "$dir/summary.csv"; return 1; }
  [ "$(grep -c ',finished,' "$dir/runs.csv")" -eq 3 ] || { echo "$dir/runs.csv does not list 3 finished runs:"; cat "$dir/runs.csv"; return 1; }
}

# 1. Locally: child processes, two at a time. Relative roots resolve from the working folder, so each setting
#    gets its own runs/ (and mlruns/) under artifacts.
t=$SECONDS
if (cd "$out/local" && stargan sweep "$spec" --parallel 2) > "$out/local.log" 2>&1; then
  summary_ok "$out/local/runs/sweeps/tiny" || fail "the local sweep's summary (see $out/local.log)"
else
  tail -15 "$out/local.log"; fail "the local sweep (exit code != 0; see $out/local.log)"
fi
step "local sweep done" $((SECONDS - t))

# 2. Through Slurm: one array task per run, at most two at a time; the status verb polls squeue until none is left.
t=$SECONDS
if bash .ci/slurm.sh up > "$out/slurm-up.log" 2>&1; then
  trap 'bash .ci/slurm.sh down > "$out/slurm-down.log" 2>&1' EXIT
  cat "$out/slurm-up.log"
  if (cd "$out/slurm" && stargan sweep "$spec" --submit && stargan sweep status "$spec" --wait --timeout 600) > "$out/slurm.log" 2>&1; then
    (cd "$out/slurm" && stargan sweep summary "$spec") > "$out/slurm-summary.log" 2>&1
    root=$out/slurm/runs/sweeps/tiny
    summary_ok "$root" || fail "the Slurm sweep's summary (see $out/slurm.log)"
    # every run really went through Slurm: its task record names its array task
    [ "$(grep -l '"slurm_task"' "$root"/tasks/*.json 2>/dev/null | wc -l)" -eq 3 ] \
      || fail "not every run of the Slurm sweep was trained by a Slurm task (see $root/tasks/)"
  else
    tail -15 "$out/slurm.log"; fail "the Slurm sweep did not finish (see $out/slurm.log and $out/slurm/runs/sweeps/tiny/slurm/logs/)"
  fi
else
  tail -15 "$out/slurm-up.log"; fail "bringing up the one-node Slurm cluster (.ci/slurm.sh up; see $out/slurm-up.log)"
fi
step "Slurm sweep done" $((SECONDS - t))

# 3. The F# scripts, against the library published with a runtime identifier (docs/sweeps.md, "Experiment scripts").
t=$SECONDS
if dotnet publish core/StarGanLab -c Release -r linux-x64 --self-contained false -o artifacts/lib > "$out/publish.log" 2>&1; then
  if dotnet fsi experiments/compare.fsx "$out/slurm/runs/sweeps/tiny" > "$out/compare.log" 2>&1 && grep -q "^3 runs under" "$out/compare.log"; then
    cat "$out/compare.log"
  else
    tail -15 "$out/compare.log"; fail "experiments/compare.fsx (see $out/compare.log)"
  fi
  if dotnet fsi experiments/ablation.fsx --iters 2 --tiny --seeds 1 --root "$out/ablation" > "$out/ablation.log" 2>&1 \
      && [ -s "$out/ablation/summary.md" ]; then
    sed -n '/^variant/,$p' "$out/ablation.log"
  else
    tail -15 "$out/ablation.log"; fail "experiments/ablation.fsx (see $out/ablation.log)"
  fi
  # One config from F# (Experiment.Run) and from the CLI: the same run folder, file for file.
  tiny=(--set threads=1 --set model.img_size=16 --set model.width_const=128 --set model.max_conv_dim=16 --set model.mapping_hidden=32
        --set model.latent_dim=8 --set model.style_dim=16 --set data.synthetic_per_domain=20 --set data.workers=1 --set loss.ds_iter=2
        --set train.total_iters=2 --set train.batch_size=2 --set train.val_batch_size=3 --set train.sample_every=2 --set train.save_every=2
        --set run.name=same)
  if MLFLOW_TRACKING_URI="$out/mlruns" dotnet fsi experiments/train.fsx configs/quickstart.yaml "${tiny[@]}" --set run.root="$out/fsx" > "$out/train-fsx.log" 2>&1 \
      && MLFLOW_TRACKING_URI="$out/mlruns" stargan train configs/quickstart.yaml "${tiny[@]}" --set run.root="$out/cli" > "$out/train-cli.log" 2>&1 \
      && diff <(cd "$out/fsx/same" && find . -type f -not -path './tracking/*' | sort) \
              <(cd "$out/cli/same" && find . -type f -not -path './tracking/*' | sort) > "$out/train-diff.log"; then
    echo "sweeps: experiments/train.fsx wrote the same $(cd "$out/fsx/same" && find . -type f -not -path './tracking/*' | wc -l) files as stargan train"
  else
    tail -15 "$out/train-fsx.log" "$out/train-cli.log" "$out/train-diff.log" 2>/dev/null; fail "experiments/train.fsx against stargan train (see $out/train-*.log)"
  fi
else
  tail -15 "$out/publish.log"; fail "publishing the library for the F# scripts (see $out/publish.log)"
fi
step "F# scripts done" $((SECONDS - t))

[ "$status" -eq 0 ] && echo "sweeps: ok"
exit $status
