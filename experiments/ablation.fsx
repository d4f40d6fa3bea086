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
#r "../artifacts/lib/StarGanLab.dll"

open System
open System.IO
open StarGanLab.Config
open StarGanLab.Sweeps
open StarGanLab.Experiments.Hooks

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

// ---- arguments -------------------------------------------------------------------------------------------------
let args = fsi.CommandLineArgs |> Array.skip 1 |> List.ofArray
let rec option name = function
    | n :: v :: _ when n = name -> Some v
    | _ :: rest -> option name rest
    | [] -> None
let flag name = List.contains name args
let iters = option "--iters" args |> Option.map int |> Option.defaultValue 300
let seeds = option "--seeds" args |> Option.map (fun s -> s.Split(',') |> Array.map int) |> Option.defaultValue [| 1; 2 |]
let tiny = flag "--tiny"
let repo = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, ".."))
let root =
    option "--root" args
    |> Option.defaultValue (Path.Combine(repo, "runs", "experiments", sprintf "ablation-%dit%s" iters (if tiny then "-tiny" else "")))

// ---- the sweep -------------------------------------------------------------------------------------------------
let budget =
    [ sprintf "train.total_iters=%d" iters
      sprintf "train.sample_every=%d" iters        // one sample grid, at the end
      sprintf "train.save_every=%d" (max 1 (iters / 4))
      sprintf "loss.ds_iter=%d" iters ]            // lambda_ds decays over the whole run, as in the quickstart
// --tiny: the network and data sizes of the CI sweep (configs/sweeps/tiny.yaml), then this budget
let sizes = if tiny then (SweepSpecLoader.Load(Path.Combine(repo, "configs", "sweeps", "tiny.yaml"))).Set |> List.ofSeq else []
let spec =
    SweepSpecLoader.Load(Path.Combine(repo, "configs", "sweeps", "ablation.yaml"))
        .WithSet(sizes @ budget)
        .WithOneAtATime([ for key, values in components -> SweepAxis(key, values |> Array.ofList) ])
        .WithSeeds(seeds)
        .WithRoot(root)
let plan = SweepPlan.Expand(spec)
printfn "ablation: %d runs (%d variants x %d seeds), %d iterations each, under %s" plan.Runs.Count (plan.Runs.Count / seeds.Length) seeds.Length iters plan.Folder.Root

// ---- training, in this process, one run after the other ---------------------------------------------------------
let log (message: string) = printfn "  %s" message
let train (task: TaskPlan) =
    use session = task.OpenSession(Action<string> log)
    let t = session.Config.Train
    session.Train([| LossLogHook(t.PrintEvery) :> ITrainHook; SampleHook(t.SampleEvery); CheckpointHook(t.SaveEvery, t.KeepCheckpoints) |])
    0
let failed =
    [ for run in plan.Runs do
        printfn "[%d/%d] %s" (run.Index + 1) plan.Runs.Count run.Name
        let code =
            try SweepTask.Run(plan.Folder, run, Environment.ProcessorCount, Func<TaskPlan, int> train, Action<string> log)
            with e -> eprintfn "  FAILED: %s" e.Message; 1
        if code <> 0 then yield run.Name ]

// ---- results ---------------------------------------------------------------------------------------------------
let summary = SweepSummary.Build(plan)
summary.Write()
let shown = summary.Columns |> Seq.filter (fun c -> not (c.StartsWith "D/")) |> List.ofSeq   // G terms and metrics
let cell (g: SummaryGroup) c =
    match g.Stats.TryGetValue c with
    | true, s when s.Std.HasValue -> sprintf "%.4g ± %.2g" s.Mean s.Std.Value
    | true, s -> sprintf "%.4g" s.Mean
    | _ -> ""
let rows =
    [ yield "variant" :: "seeds" :: shown
      for g in summary.Variants ->
        (if g.AxisOverrides.Count = 0 then "(base)" else String.Join(" ", g.AxisOverrides))
        :: sprintf "%d/%d" g.Finished g.Rows.Count :: [ for c in shown -> cell g c ] ]
let widths = [ for i in 0 .. shown.Length + 1 -> rows |> List.map (fun r -> r.[i].Length) |> List.max ]
printfn ""
for r in rows do printfn "%s" (String.Join("  ", List.map2 (fun (s: string) w -> s.PadRight w) r widths))
printfn "\nmean ± std over seeds of the final values; all columns in %s" plan.Folder.SummaryMarkdown
if not failed.IsEmpty then
    eprintfn "ablation: %d run(s) failed: %s" failed.Length (String.Join(", ", failed))
    exit 1
