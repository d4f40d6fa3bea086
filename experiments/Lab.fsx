// What every experiment script shares: the library, command-line options, training a sweep's runs through
// Experiment (the same run folders, hooks, tracking and evaluation as `stargan train`) and printing a table.
// A script starts with  #load "Lab.fsx"  and  open Lab  (a loaded file is a module named after it).
#r "../artifacts/lib/StarGanLab.dll"


open System
open System.IO
open StarGanLab.Experiments
open StarGanLab.Experiments.Hooks
open StarGanLab.Sweeps

/// The script's arguments (after the script name).
let args = fsi.CommandLineArgs |> Array.skip 1 |> List.ofArray

/// The value after `name` (e.g. `--iters 300`), if given.
let option name =
    let rec find = function
        | n :: v :: _ when n = name -> Some v
        | _ :: rest -> find rest
        | [] -> None
    find args

/// Every value given after `name` (e.g. each `--set k=v`), in order.
let options name =
    let rec collect = function
        | n :: v :: rest when n = name -> v :: collect rest
        | _ :: rest -> collect rest
        | [] -> []
    collect args

let flag name = List.contains name args

/// The repository root (this file sits in experiments/).
let repo = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, ".."))

/// `--seeds 1,2,3`, else the given default.
let seeds defaults = option "--seeds" |> Option.map (fun s -> s.Split(',') |> Array.map int) |> Option.defaultValue defaults

/// The overrides of a short run of `iters` iterations: one sample grid at the end, four checkpoints, and the diversity
/// weight decaying over the whole run (as the quickstart does over its own length).
let budget iters =
    [ sprintf "train.total_iters=%d" iters
      sprintf "train.sample_every=%d" iters
      sprintf "train.save_every=%d" (max 1 (iters / 4))
      sprintf "loss.ds_iter=%d" iters ]

/// `--tiny`: the network and data sizes of the CI sweep (configs/sweeps/tiny.yaml), seconds per run.
let tinySizes () =
    if flag "--tiny" then SweepSpecLoader.Load(Path.Combine(repo, "configs", "sweeps", "tiny.yaml")).Set |> List.ofSeq else []

let log (message: string) = printfn "  %s" message

/// Trains (starts, resumes or skips) every run of the plan in this process, one after the other, and returns the names
/// of those that failed. `label` prefixes the progress lines.
let trainAll (label: string) (plan: SweepPlan) =
    let options = ExperimentOptions(Log = Action<string> log, Hooks = [| ConsoleLogHook(Nullable(), Action<string> log) :> ITrainHook |])
    let train (task: TaskPlan) = if (task.Train options).Finished then 0 else 1
    [ for run in plan.Runs do
        printfn "[%s%d/%d] %s" label (run.Index + 1) plan.Runs.Count run.Name
        let code =
            try SweepTask.Run(plan.Folder, run, Environment.ProcessorCount, Func<TaskPlan, int> train, Action<string> log)
            with e -> eprintfn "  FAILED: %s" e.Message; 1
        if code <> 0 then yield run.Name ]

/// A summary cell: mean ± std over seeds (mean alone for one seed), empty where the column has no value.
let cell (stats: Collections.Generic.IReadOnlyDictionary<string, SummaryStat>) column =
    match stats.TryGetValue column with
    | true, s when s.Std.HasValue -> sprintf "%.4g ± %.2g" s.Mean s.Std.Value
    | true, s -> sprintf "%.4g" s.Mean
    | _ -> ""

/// Prints rows (the first is the header) as left-aligned columns.
let printTable (rows: string list list) =
    let widths = [ for i in 0 .. rows.Head.Length - 1 -> rows |> List.map (fun r -> r.[i].Length) |> List.max ]
    for r in rows do printfn "%s" (String.Join("  ", List.map2 (fun (s: string) w -> s.PadRight w) r widths))

/// Ends the script with exit code 1 when runs failed, naming them.
let exitOnFailures (script: string) (failed: string list) =
    if not failed.IsEmpty then
        eprintfn "%s: %d run(s) failed: %s" script failed.Length (String.Join(", ", failed))
        exit 1
