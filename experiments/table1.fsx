// Table 1 of the paper on the embedded synthetic set at a small budget: the presets configs/ablations/A.yaml ..
// F.yaml (from the StarGAN baseline, A, to StarGAN v2, F), each trained over seeds in this process through the
// library's public API, then one row per preset with the final values (mean ± std over seeds).
//
//   dotnet publish core/StarGanLab -c Release -r linux-x64 --self-contained false -o artifacts/lib   # once
//   dotnet fsi experiments/table1.fsx                        # 300 iterations per run, seeds 1 and 2
//   dotnet fsi experiments/table1.fsx --iters 1000 --seeds 1,2,3
//   dotnet fsi experiments/table1.fsx --iters 2 --tiny       # 16 px nets (as configs/sweeps/tiny.yaml), seconds per run
//
// Runs go to runs/experiments/table1-<iters>it[-tiny]/<preset>/ (or --root DIR); a second call skips what is finished.
#r "../artifacts/lib/StarGanLab.dll"

open System
open System.IO
open StarGanLab.Sweeps
open StarGanLab.Experiments.Hooks

let args = fsi.CommandLineArgs |> Array.skip 1 |> List.ofArray
let rec option name = function
    | n :: v :: _ when n = name -> Some v
    | _ :: rest -> option name rest
    | [] -> None
let iters = option "--iters" args |> Option.map int |> Option.defaultValue 300
let seeds = option "--seeds" args |> Option.map (fun s -> s.Split(',') |> Array.map int) |> Option.defaultValue [| 1; 2 |]
let tiny = List.contains "--tiny" args
let repo = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, ".."))
let root =
    option "--root" args
    |> Option.defaultValue (Path.Combine(repo, "runs", "experiments", sprintf "table1-%dit%s" iters (if tiny then "-tiny" else "")))

// ---- the presets ------------------------------------------------------------------------------------------------
let presetDir = Path.Combine(repo, "configs", "ablations")
let presets = [ for p in "ABCDEF" -> string p, Path.Combine(presetDir, sprintf "%c.yaml" p) ]
match presets |> List.filter (snd >> File.Exists >> not) with
| [] -> ()
| missing ->
    eprintfn "table1: %s not found: the presets A-F ship in configs/ablations/ (git checkout -- configs/ablations restores them)."
        (String.Join(", ", missing |> List.map snd))
    exit 2

// ---- one sweep per preset: no axes, only seeds and the budget ----------------------------------------------------
let budget =
    [ sprintf "train.total_iters=%d" iters
      sprintf "train.sample_every=%d" iters
      sprintf "train.save_every=%d" (max 1 (iters / 4))
      sprintf "loss.ds_iter=%d" iters ]
let sizes = if tiny then (SweepSpecLoader.Load(Path.Combine(repo, "configs", "sweeps", "tiny.yaml"))).Set |> List.ofSeq else []
let plans =
    [ for name, file in presets ->
        name, SweepPlan.Expand(SweepSpec(sprintf "table1-%s" name, file, Path.Combine(root, name), Array.ofList (sizes @ budget), [||], [||], seeds)) ]

let log (message: string) = printfn "  %s" message
let train (task: TaskPlan) =
    use session = task.OpenSession(Action<string> log)
    let t = session.Config.Train
    session.Train([| LossLogHook(t.PrintEvery) :> ITrainHook; SampleHook(t.SampleEvery); CheckpointHook(t.SaveEvery, t.KeepCheckpoints) |])
    0
let failed =
    [ for name, plan in plans do
        for run in plan.Runs do
            printfn "[%s %d/%d] %s" name (run.Index + 1) plan.Runs.Count run.Name
            let code =
                try SweepTask.Run(plan.Folder, run, Environment.ProcessorCount, Func<TaskPlan, int> train, Action<string> log)
                with e -> eprintfn "  FAILED: %s" e.Message; 1
            if code <> 0 then yield sprintf "%s/%s" name run.Name ]

// ---- the table -----------------------------------------------------------------------------------------------------
let summaries = [ for name, plan in plans -> name, (let s = SweepSummary.Build(plan) in s.Write(); s) ]
let columns = summaries |> List.collect (fun (_, s) -> List.ofSeq s.Columns) |> List.distinct |> List.filter (fun c -> not (c.StartsWith "D/"))
let cell (s: SweepSummary) c =
    match s.Variants.[0].Stats.TryGetValue c with
    | true, st when st.Std.HasValue -> sprintf "%.4g ± %.2g" st.Mean st.Std.Value
    | true, st -> sprintf "%.4g" st.Mean
    | _ -> ""
let rows =
    [ yield "preset" :: "config" :: "seeds" :: columns
      for name, s in summaries ->
        name :: s.Runs.[0].Run.Config.Name :: sprintf "%d/%d" s.Variants.[0].Finished s.Runs.Count :: [ for c in columns -> cell s c ] ]
let widths = [ for i in 0 .. columns.Length + 2 -> rows |> List.map (fun r -> r.[i].Length) |> List.max ]
printfn ""
for r in rows do printfn "%s" (String.Join("  ", List.map2 (fun (s: string) w -> s.PadRight w) r widths))
printfn "\nmean ± std over seeds of the final values; per preset, summary.md under %s" root
if not failed.IsEmpty then
    eprintfn "table1: %d run(s) failed: %s" failed.Length (String.Join(", ", failed))
    exit 1
