// Table 1 of the paper on the embedded synthetic set, from one sweep: configs/sweeps/table1.yaml runs the presets
// configs/ablations/A.yaml .. F.yaml (from the StarGAN baseline, A, to StarGAN v2, F) over 3 seeds, each evaluated
// at its end with the ground-truth metrics and the offline FID / LPIPS. This script trains whatever of that sweep is
// not finished (in this process, one run after the other; `stargan sweep configs/sweeps/table1.yaml --parallel 2`
// or `--submit` trains the very same runs faster, and either can continue the other's), then writes one row per
// preset (mean ± sd [95% CI] over seeds) as table1.md, the interactive plot table1.html and the static table1.svg
// (for documents) under the sweep's root.
//
//   dotnet publish core/StarGanLab -c Release -r linux-x64 --self-contained false -o artifacts/lib   # once
//   dotnet fsi experiments/table1.fsx                       # the sweep as configured (18 runs, ~5 min each)
//   dotnet fsi experiments/table1.fsx --no-train            # only the table and plot from the runs there are
//   dotnet fsi experiments/table1.fsx --iters 2 --tiny --seeds 1,2 --set metrics.backbone=none --root /tmp/t1
//                                                           # a smoke test: 16 px nets, ground truth only, seconds a run
//
// --iters, --tiny, --seeds and --set key=value change the runs, so they need their own --root (a sweep refuses to
// change finished runs).
#load "Lab.fsx"

open System
open System.IO
open StarGanLab.Sweeps
open Lab

let specFile = option "--spec" |> Option.defaultValue (Path.Combine(repo, "configs", "sweeps", "table1.yaml"))
let changed = [ "--iters"; "--tiny"; "--seeds"; "--set" ] |> List.exists (fun o -> flag o || (option o).IsSome)
let spec =
    let s = SweepSpecLoader.Load specFile
    let s = match option "--iters" with Some n -> s.WithSet(budget (int n)) | None -> s
    let s = s.WithSet(tinySizes () @ options "--set")
    let s = match option "--seeds" with Some _ -> s.WithSeeds(seeds [||]) | None -> s
    match option "--root", changed with
    | Some root, _ -> s.WithRoot(Path.GetFullPath root)
    | None, true ->
        eprintfn "table1: --iters, --tiny, --seeds and --set change the sweep's runs; give them a folder of their own with --root DIR"
        exit 2
    | None, false -> s.WithRoot(Path.GetFullPath s.Root)
let plan = SweepPlan.Expand spec

let failed = if flag "--no-train" then [] else trainAll "" plan

// ---- the table -----------------------------------------------------------------------------------------------------
let summary = SweepSummary.Build plan
summary.Write()
let columns = SweepTable.Present(summary, SweepTable.TranslationMetrics)
printfn ""
printTable [ for row in SweepTable.Rows(summary, columns) -> List.ofSeq row ]

let title = "Table 1 on the synthetic set"
let tableFile = Path.Combine(plan.Folder.Root, "table1.md")
File.WriteAllText(tableFile, SweepTable.Markdown(summary, columns, title))
let plotFile = SweepCharts.WriteHtml(summary, columns, Path.Combine(plan.Folder.Root, "table1.html"), title, SweepTable.Note summary)
let svgFile = SweepSvg.Write(summary, columns, Path.Combine(plan.Folder.Root, "table1.svg"), title + ": mean (black), 95% CI (blue), seeds (grey)")
printfn "\n%s\nwrote %s, %s and %s" (SweepTable.Note summary) tableFile plotFile svgFile
exitOnFailures "table1" failed
