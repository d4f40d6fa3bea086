// Trains one experiment config from F# exactly as `stargan train CONFIG --set k=v ...` does: Experiment.Run builds
// the same run folder, hooks (losses, samples, checkpoints, tracking, evaluation, report) and tracked MLflow run.
// A script of your own starts the same way: #load "Lab.fsx", then Experiment.Run(config, overrides, options).
//
//   dotnet publish core/StarGanLab -c Release -r linux-x64 --self-contained false -o artifacts/lib   # once
//   dotnet fsi experiments/train.fsx configs/quickstart.yaml
//   dotnet fsi experiments/train.fsx configs/quickstart.yaml --set train.total_iters=200 --set run.name=short
#load "Lab.fsx"

open System
open StarGanLab.Experiments
open StarGanLab.Experiments.Hooks
open Lab

let config =
    match args with
    | c :: _ when not (c.StartsWith "--") -> c
    | _ -> eprintfn "usage: dotnet fsi experiments/train.fsx CONFIG [--set key=value]..."; exit 2
let runOptions = ExperimentOptions(Log = Action<string> log, Hooks = [| ConsoleLogHook() :> ITrainHook |])
let result = Experiment.Run(config, options "--set", runOptions)
printfn "%s at step %d of %d" result.RunDirectory result.Step result.TotalIters
