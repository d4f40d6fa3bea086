// Ranks finished (or running) runs by one final value, with the config keys they differ in: the runs of a sweep,
// of the experiments, or any folder of run directories (searched recursively), through the library's public API.
//
//   dotnet publish core/StarGanLab -c Release -r linux-x64 --self-contained false -o artifacts/lib   # once
//   dotnet fsi experiments/compare.fsx runs/sweeps/ablation                 # by quality: FID, else the ground truth
//   dotnet fsi experiments/compare.fsx runs --by G/ref_cyc                  # any final value, lower is better ...
//   dotnet fsi experiments/compare.fsx runs --by LPIPS_latent/mean --higher # ... unless --higher
//
// Values are the runs' final results (RunResults.Final: the last evaluation in metrics.jsonl, else the last logged
// loss). Without --by, runs are ranked by a quality metric (Reports/Quality.cs: FID, else the synthetic set's ground
// truth); a loss is not quality (lambda_cyc=0 has the lowest cycle loss), so without an evaluation nothing is ranked.
#load "Lab.fsx"

open System
open System.IO
open StarGanLab.Reports
open StarGanLab.Runs
open Lab

let root = args |> List.tryHead |> Option.filter (fun a -> not (a.StartsWith "--")) |> Option.defaultValue "runs"

// Run directories anywhere under root (a sweep's runs sit one level down, experiments' two); the backups that
// --overwrite leaves (NAME.replaced-TIME) are not runs.
if not (Directory.Exists root) then
    eprintfn "compare: %s does not exist" (Path.GetFullPath root)
    exit 2
let runs =
    Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories)
    |> Seq.filter (fun d -> File.Exists(Path.Combine(d, RunDirectory.ConfigFileName)) && not (d.Contains ".replaced-"))
    |> Seq.sort
    |> Seq.map RunResults.Load
    |> List.ofSeq
if runs.IsEmpty then
    eprintfn "compare: no run directories (folders with %s) under %s" RunDirectory.ConfigFileName (Path.GetFullPath root)
    exit 2

// The keys the runs differ in, and each run's values of them (what a sweep varied).
let differing = RunResults.DifferingConfigKeys(Array.ofList runs) |> List.ofSeq
let setting (r: RunResults) =
    let flat = StarGanLab.Config.ConfigWriter.Flatten(r.Config) |> Seq.map (fun struct (k, v) -> k, v) |> dict
    String.Join(" ", [ for k in differing -> sprintf "%s=%s" (k.Substring(k.LastIndexOf('.') + 1)) flat.[k] ])

let value (key: string) (r: RunResults) = Option.ofNullable r.Final.[key]
let stepOf (key: string) (r: RunResults) =
    if r.Final.Metrics.ContainsKey key then r.Final.EvaluatedStep.Value else r.Final.LossStep
let chosen =
    match option "--by" with
    | Some key -> Some(QualityMetric(key, flag "--higher"))
    | None -> Quality.For(runs |> Seq.map (fun r -> r.Final)) |> Option.ofObj

match chosen with
| None ->
    printfn "%d runs under %s, unranked: %s\n" runs.Length (Path.GetFullPath root) Quality.NoneAvailable
    printTable
        [ yield [ "run"; "step"; "differs in" ]
          for r in runs -> [ r.Name; string r.Final.LossStep; setting r ] ]
| Some metric ->
    let ranked, without = runs |> List.partition (value metric.Key >> Option.isSome)
    if ranked.IsEmpty then
        eprintfn "compare: no run under %s has a final value '%s' (in metrics.jsonl or losses.jsonl)" root metric.Key
        exit 2
    let sorted = ranked |> (if metric.HigherIsBetter then List.sortByDescending else List.sortBy) (fun r -> (value metric.Key r).Value)
    printfn "%d runs under %s ranked by %s (%s is better)\n" sorted.Length (Path.GetFullPath root) metric.Key metric.Better
    printTable
        [ yield [ "#"; "run"; metric.Key; "step"; "differs in" ]
          for i, r in List.indexed sorted ->
            [ string (i + 1); r.Name; sprintf "%.5g" (value metric.Key r).Value; string (stepOf metric.Key r); setting r ] ]
    if not without.IsEmpty then
        printfn "\nwithout %s: %s" metric.Key (String.Join(", ", without |> List.map (fun r -> r.Name)))
