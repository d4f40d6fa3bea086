#!/usr/bin/env bash
# The parity fixture matrix: fixtures made by the official StarGAN v2 code for a grid of configurations, each with
# the official float64 gradients, then `stargan parity` on each, and one summary table.
#
#   bash .ci/parity-matrix.sh --official DIR [--out DIR] [--only NAME]
#
# Needs Debian's python3-torch, python3-numpy and python3-munch (/usr/bin/python3), the public clovaai/stargan-v2
# code in DIR (outside this repository; never commit it or the fixtures) and shared/anchors beside the clone
# (../shared/anchors, as CI lays it out). Each case takes seconds to make and check; the w_hpf cases' float64
# gradients take a minute or two (the FAN in float64). Exits 1 when any case fails.
set -uo pipefail
cd "$(dirname "$0")/.."
official="" out="${TMPDIR:-/tmp}/stargan-parity-matrix" only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --official) official="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    *) echo "usage: $0 --official DIR [--out DIR] [--only NAME]" >&2; exit 2 ;;
  esac
done
anchors=../shared/anchors
[ -f "$anchors/make_parity.py" ] || { echo "parity-matrix: $anchors/make_parity.py not found (shared/ beside the clone)" >&2; exit 2; }
[ -n "$official" ] && [ -f "$official/core/solver.py" ] || { echo "parity-matrix: --official DIR must hold the clovaai/stargan-v2 code (core/solver.py)" >&2; exit 2; }
/usr/bin/python3 -c "import torch, numpy, munch" 2>/dev/null || { echo "parity-matrix: needs Debian's python3-torch python3-numpy python3-munch" >&2; exit 2; }
mkdir -p "$out"

# Distinct non-unit lambdas and a short ds_iter on top of the basic config.
/usr/bin/python3 - "$anchors/configs/basic.json" "$out/lambdas.json" <<'PY'
import json, sys
cfg = json.load(open(sys.argv[1]))
cfg.update(comment="basic with distinct non-unit lambdas and a short ds_iter (parity matrix)",
           lambda_reg=0.5, lambda_sty=1.5, lambda_ds=2.5, lambda_cyc=0.7, ds_iter=3)
json.dump(cfg, open(sys.argv[2], "w"), indent=1)
PY

# name | config | make_parity overrides
cases=(
  "q32-d3-b8|basic|--img-size 32 --num-domains 3 --batch 8 --width 2**9 --max-conv-dim 64"
  "s32-d2-b3-sat|lambdas|--img-size 32 --num-domains 2 --batch 3 --width 2**8 --max-conv-dim 24"
  "s32-d2-b2-both|basic|--img-size 32 --num-domains 2 --batch 2 --width 2**8 --max-conv-dim 48 --formats all --seed 3"
  "s64-d3-b3-legacy|lambdas|--img-size 64 --num-domains 3 --batch 3 --width 2**9 --max-conv-dim 32 --formats legacy --seed 5"
  "s64-d2-b4|basic|--img-size 64 --num-domains 2 --batch 4 --width 2**10 --max-conv-dim 64 --seed 9"
  "h64-d2-b2-hpf|lambdas|--img-size 64 --num-domains 2 --batch 2 --width 2**9 --max-conv-dim 64 --w-hpf 1"
  "h64-d3-b3-hpf-legacy|basic|--img-size 64 --num-domains 3 --batch 3 --width 2**9 --max-conv-dim 40 --w-hpf 1 --formats legacy --seed 11"
)

dotnet build core/StarGanLab.Cli -v q -nologo >/dev/null || { echo "parity-matrix: build failed" >&2; exit 1; }
stargan="dotnet core/StarGanLab.Cli/bin/Debug/net10.0/stargan.dll"
status=0
for c in "${cases[@]}"; do
  IFS='|' read -r name config args <<<"$c"
  [ -n "$only" ] && [ "$only" != "$name" ] && continue
  cfg="$anchors/configs/basic.json"; [ "$config" = lambdas ] && cfg="$out/lambdas.json"
  fx="$out/$name"
  start=$(date +%s)
  # shellcheck disable=SC2086
  /usr/bin/python3 "$anchors/make_parity.py" --official "$official" --config "$cfg" --out "$fx" --overwrite $args >"$out/$name.make.log" 2>&1 \
    || { echo "$name: make_parity failed (see $out/$name.make.log)"; status=1; continue; }
  /usr/bin/python3 "$anchors/official_f64_grads.py" --official "$official" "$fx" >"$out/$name.f64.log" 2>&1 \
    || { echo "$name: official_f64_grads failed (see $out/$name.f64.log)"; status=1; continue; }
  $stargan parity --fixture "$fx" --json "$out/$name.json" >"$out/$name.parity.log" 2>&1 || status=1
  echo "$name: $(tail -1 "$out/$name.parity.log") ($(( $(date +%s) - start )) s)"
done

# One table: per case the checks passed, the worst error of each group, and per gradient the official float32's
# and our float32's distance to the official float64 gradient.
/usr/bin/python3 - "$out" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
rows = []
for path in sorted(glob.glob(os.path.join(out, "*.json"))):
    if path.endswith("lambdas.json"): continue
    doc = json.load(open(path))
    checks = doc["checks"]
    name = os.path.basename(path)[:-5]
    passed = sum(c["pass"] for c in checks)
    worst = {}
    for c in checks:
        g = c["group"].split(",")[0]
        worst[g] = max(worst.get(g, 0), c["max_rel"] / c["tolerance"] if c["tolerance"] else 0)
    print(f"\n{name}: {passed}/{len(checks)} checks pass (kernels: {doc['kernels']}); worst error / tolerance per group: " +
          ", ".join(f"{g} {v:.2f}" for g, v in worst.items()))
    for c in checks:
        m = c.get("measures")
        if m:
            print(f"  {c['name']:<30} official f32 vs f64 {m['official_f32_vs_f64']:.2e}   ours f32 vs f64 {m['ours_f32_vs_f64']:.2e}"
                  f"   ours f64 vs official f64 {m['ours_f64_vs_official_f64']:.1e}   {'PASS' if c['pass'] else 'FAIL'}")
PY
exit $status
