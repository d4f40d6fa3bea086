#!/usr/bin/env bash
# Executes every notebook in notebooks/ headless against tiny runs trained here (explore_run trains its own through
# Experiment.Run), and fails (exit 1) if any cell
# of any notebook fails or a notebook's charts are missing from its output. Called by .ci/run after the tests;
# also runnable alone from the repository root. Keeps under artifacts/ci/: the executed notebooks
# (notebooks/*.ipynb with outputs), the tiny runs (runs/, each with its report.html) and per-notebook logs.
#
# Why a private dotnet-repl with FSharp.Core 10.1.403 (ECOSYSTEM.md section 5):
#   Plotly.NET 6 (and so StarGanLab.dll) needs FSharp.Core >= 10.1.403, while dotnet-repl 0.3.259 ships and loads
#   FSharp.Core 10.0 first; a host cannot load two versions of it into one context, so every chart cell fails
#   there (MissingMethodException in Plotly.NET's Giraffe views; checked). FSharp.Core keeps binary backward
#   compatibility across releases, so code built against 10.0 (the host, its F# kernel) runs on 10.1.403, while
#   the reverse, what the stock host attempts, does not. So we give the host the newer file: a copy of the tool
#   folder (hard links, nothing in ~/.nuget changes), with FSharp.Core.dll replaced by the very file the library
#   was published with, versions pinned by dotnet-tools.json and StarGanLab.csproj. The alternatives are worse:
#   C# cells don't help (Plotly.NET is F# and loads FSharp.Core 10.1 whatever the cell language), calling Plotly
#   through a private AssemblyLoadContext would replace the public API with reflection, and skipping charts in
#   CI would test nothing. The check after each run makes sure the charts really were drawn into the output.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

ci=artifacts/ci
runs=$ci/runs
out=$ci/notebooks
host=$ci/repl-host
start=$SECONDS
phase() { echo "notebooks: $1 (${2}s)"; }

rm -rf "$runs" "$out" "$host" "$ci/sweep"
mkdir -p "$runs" "$out"

# 1. The library with natives flat beside it (docs/tracking.md, "Notebooks and reports"); the notebooks #r it from here.
t=$SECONDS
dotnet publish core/StarGanLab -c Release -r linux-x64 --self-contained false -o artifacts/lib > "$out/publish.log" 2>&1 \
  || { tail -20 "$out/publish.log"; echo "notebooks: publish failed"; exit 1; }
phase "published artifacts/lib" $((SECONDS - t))

# 2. Two tiny runs (16 px, batch 2, 4 steps) that differ in the learning rate, so compare_runs has something to
#    compare. One torch thread: on a CPU shared with other jobs, two spinning threads made these steps ~10x
#    slower (measured 0.23 vs 2.1 s for the first step). Tracking goes to a file store inside the artifacts,
#    not to the repository's ./mlruns.
t=$SECONDS
stargan=core/StarGanLab.Cli/bin/Debug/net10.0/stargan.dll
[ -f "$stargan" ] || dotnet build core/StarGanLab.Cli > "$out/build.log" 2>&1
tiny=(--set train.total_iters=4 --set train.sample_every=2 --set train.print_every=1 --set train.save_every=4
      --set train.batch_size=2 --set train.val_batch_size=3 --set data.synthetic_per_domain=20
      --set model.img_size=16 --set model.width_const=128 --set model.max_conv_dim=16 --set model.mapping_hidden=32
      --set model.latent_dim=8 --set model.style_dim=16 --set threads=1 --set "run.root=$runs")
for lr in 5.0e-4 1.0e-4; do
  MLFLOW_TRACKING_URI="$ci/mlruns" dotnet "$stargan" train configs/quickstart.yaml "${tiny[@]}" \
    --set "optim.lr=$lr" --set "run.name=tiny-lr$lr" > "$out/train-lr$lr.log" 2>&1 \
    || { tail -20 "$out/train-lr$lr.log"; echo "notebooks: tiny run failed"; exit 1; }
  [ -s "$runs/tiny-lr$lr/report.html" ] || { echo "notebooks: tiny run wrote no report.html"; exit 1; }
done
phase "trained 2 tiny runs under $runs" $((SECONDS - t))

# 2b. The tiny sweep (configs/sweeps/tiny.yaml: 3 runs of 4 steps) for sweep_table, run where its root resolves
#     into the artifacts.
t=$SECONDS
mkdir -p "$ci/sweep"
(cd "$ci/sweep" && dotnet "$OLDPWD/$stargan" sweep "$OLDPWD/configs/sweeps/tiny.yaml" --parallel 1) > "$out/sweep.log" 2>&1 \
  || { tail -20 "$out/sweep.log"; echo "notebooks: tiny sweep failed"; exit 1; }
phase "trained the tiny sweep under $ci/sweep" $((SECONDS - t))

# 3. The notebook host: dotnet-repl from the local tool manifest, then the private copy described above.
t=$SECONDS
dotnet tool restore > "$out/tool-restore.log" 2>&1 || { cat "$out/tool-restore.log"; exit 1; }
repl_version=$(sed -n '/"dotnet-repl"/,/}/s/.*"version": *"\([^"]*\)".*/\1/p' dotnet-tools.json)
tool_dir="${NUGET_PACKAGES:-$HOME/.nuget/packages}/dotnet-repl/$repl_version/tools/net10.0/any"
[ -f "$tool_dir/dotnet-repl.dll" ] || { echo "notebooks: dotnet-repl $repl_version not found in $tool_dir"; exit 1; }
cp -al "$tool_dir" "$host" 2>/dev/null || cp -a "$tool_dir" "$host"   # hard links where the file system allows
rm "$host/FSharp.Core.dll"                                            # unlink only our copy's name
cp artifacts/lib/FSharp.Core.dll "$host/FSharp.Core.dll"
cmp -s artifacts/lib/FSharp.Core.dll "$host/FSharp.Core.dll" && ! cmp -s "$tool_dir/FSharp.Core.dll" "$host/FSharp.Core.dll" \
  || { echo "notebooks: FSharp.Core swap in $host did not take"; exit 1; }
phase "dotnet-repl $repl_version host with the library's FSharp.Core in $host" $((SECONDS - t))

# 4. Every notebook, each with the run(s) it reads. dotnet-repl exits 2 if any cell errs (later cells still run).
# explore_run trains a third tiny run itself through Experiment.Run (its optional first cell), then explores it.
notebook_set="$(printf '%s;' "${tiny[@]/#--set/}" | tr -d ' ' | sed 's/;;/;/g; s/^;//')run.root=$PWD/$runs;run.name=tiny-notebook"
declare -A env_for=(
  [explore_run]="STARGAN_TRAIN=../configs/quickstart.yaml STARGAN_TRAIN_SET=$notebook_set MLFLOW_TRACKING_URI=$PWD/$ci/mlruns"
  [compare_runs]="STARGAN_RUNS=$PWD/$runs"
  [sweep_table]="STARGAN_SWEEP=$PWD/configs/sweeps/tiny.yaml STARGAN_SWEEP_CWD=$PWD/$ci/sweep"
)
# Charts each notebook draws at least (explore: D, G, cycle, timing; compare: 5 scalars across runs; sweep_table:
# the tiny sweep is not evaluated, so its final losses, 2 of which its runs have).
declare -A min_charts=([explore_run]=4 [compare_runs]=5 [sweep_table]=2)
status=0
for nb in notebooks/*.ipynb; do
  name=$(basename "$nb" .ipynb)
  [ -n "${env_for[$name]:-}" ] || { echo "notebooks: $nb has no run assigned in .ci/notebooks.sh"; status=1; continue; }
  t=$SECONDS
  rc=0
  (cd notebooks && env ${env_for[$name]} timeout 600 dotnet "../$host/dotnet-repl.dll" --run "$name.ipynb" \
      --exit-after-run --output-path "../$out/$name.ipynb") > "$out/$name.log" 2>&1 || rc=$?
  # The charts must be in the output: plotly.js once, and every chart div Plotly.NET writes.
  charts=$(grep -o 'Plotly chart will be drawn inside this DIV' "$out/$name.ipynb" 2>/dev/null | wc -l)
  scripts=$(grep -o "plotly.js v[0-9.]*" "$out/$name.ipynb" 2>/dev/null | wc -l)
  if [ "$name" = explore_run ] && [ ! -s "$runs/tiny-notebook/report.html" ]; then rc=${rc/#0/3}; fi   # the notebook's own run
  if [ "$rc" -ne 0 ] || [ "$charts" -lt "${min_charts[$name]:-1}" ] || [ "$scripts" -ne 1 ]; then
    echo "notebooks: FAILED $nb (exit $rc, $charts charts, plotly.js inlined $scripts times); see $out/$name.ipynb and $out/$name.log"
    status=1
  else
    echo "notebooks: ok $nb, $charts charts ($((SECONDS - t))s) -> $out/$name.ipynb"
  fi
done
phase "done, status $status" $((SECONDS - start))
exit $status
