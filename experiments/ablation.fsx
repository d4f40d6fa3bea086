// The component ablation of StarGAN v2 on the embedded synthetic set at a small budget: every switch of
// configs/sweeps/ablation.yaml (each loss term and component off alone) plus the axes listed below, over seeds,
// trained in this process through the library's public API (StarGanLab.Sweeps), then the results table.
//
//   dotnet publish core/StarGanLab -c Release -r linux-x64 --self-contained false -o artifacts/lib   # once
//   dotnet fsi experiments/ablation.fsx                        # 300 iterations per run, seeds 1 and 2
//   dotnet fsi experiments/ablation.fsx --iters 1000 --seeds 1,2,3
//   dotnet fsi experiments/ablation.fsx --iters 2 --tiny       # 16 px nets, seconds per run (CI)
//
// Runs go to runs/experiments/ablation-<iters>it[-tiny]/ (or --root DIR), one folder per run as `stargan sweep`
// writes them, with summary.md/csv; running the script again skips finished runs and resumes interrupted ones.
#load "Lab.fsx"

open System
open System.IO
open StarGanLab.Sweeps
open Lab

// ---- the components to ablate, each alone off the base (one-at-a-time) ----------------------------------------
// configs/sweeps/ablation.yaml switches off, each alone: the four loss terms, the mapping network
// (model.style_source latent), the multi-task discriminator (model.discriminator classifier) and the EMA (optim.ema
// false). EXTEND HERE with further axes (key, values), each value tried alone off the base; an axis already in the
// spec, or a combination the validator rejects, is reported with its reason before anything trains:
let components : (string * string list) list =
    [
      // "optim.ema_beta", [ "0.9"; "0.999" ]
      // Not single switches: model.injection concat needs model.style_source domain, which needs lambda_sty and
      // lambda_ds 0 (Table 1 rows A/B: experiments/table1.fsx); model.w_hpf needs faces and the FAN checkpoint.
    ]

// ---- the sweep -------------------------------------------------------------------------------------------------
let iters = option "--iters" |> Option.map int |> Option.defaultValue 300
let seedList = seeds [| 1; 2 |]
let root =
    option "--root"
    |> Option.defaultValue (Path.Combine(repo, "runs", "experiments", sprintf "ablation-%dit%s" iters (if flag "--tiny" then "-tiny" else "")))
let spec =
    SweepSpecLoader.Load(Path.Combine(repo, "configs", "sweeps", "ablation.yaml"))
        .WithSet(tinySizes () @ budget iters)
        .WithOneAtATime([ for key, values in components -> SweepAxis(key, values |> Array.ofList) ])
        .WithSeeds(seedList)
        .WithRoot(root)
let plan = SweepPlan.Expand(spec)
printfn "ablation: %d runs (%d variants x %d seeds), %d iterations each, under %s" plan.Runs.Count (plan.Runs.Count / seedList.Length) seedList.Length iters plan.Folder.Root

// ---- training, in this process, one run after the other ---------------------------------------------------------
let failed = trainAll "" plan

// ---- results ---------------------------------------------------------------------------------------------------
let summary = SweepSummary.Build(plan)
summary.Write()
let shown = summary.Columns |> Seq.filter (fun c -> not (c.StartsWith "D/")) |> List.ofSeq   // G terms and metrics
printfn ""
printTable
    [ yield "variant" :: "seeds" :: shown
      for g in summary.Variants ->
        (if g.AxisOverrides.Count = 0 then "(base)" else String.Join(" ", g.AxisOverrides))
        :: sprintf "%d/%d" g.Finished g.Rows.Count :: [ for c in shown -> cell g.Stats c ] ]
printfn "\nmean ± std over seeds of the final values; all columns in %s" plan.Folder.SummaryMarkdown
exitOnFailures "ablation" failed
