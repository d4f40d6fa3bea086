// Ranks finished (or running) runs by one final value, with the config keys they differ in: the runs of a sweep,
// of the experiments, or any folder of run directories (searched recursively), through the library's public API.
//
//   dotnet publish core/StarGanLab -c Release -r linux-x64 --self-contained false -o artifacts/lib   # once
//   dotnet fsi experiments/compare.fsx runs/sweeps/ablation                 # by the first evaluation metric, else G/ref_cyc
//   dotnet fsi experiments/compare.fsx runs --by FID_latent/mean            # lower is better ...
//   dotnet fsi experiments/compare.fsx runs --by LPIPS_latent/mean --higher # ... unless --higher
//
// The value of a run is the newest entry of its metrics.jsonl (evaluation) or else the last line of losses.jsonl.
#load "Lab.fsx"

open System
open System.IO
open StarGanLab.Reports
open StarGanLab.Runs
open Lab

let root = args |> List.tryHead |> Option.filter (fun a -> not (a.StartsWith "--")) |> Option.defaultValue "runs"
let higher = flag "--higher"

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

let value (key: string) (r: RunResults) =
    match r.Metrics.[key], r.Losses.[key] with
    | null, null -> None
    | null, s | s, _ -> Some(s.Last, s.LastStep)
let key =
    option "--by"
    |> Option.orElse (runs |> List.tryPick (fun r -> r.Metrics.Series |> Seq.tryHead |> Option.map (fun s -> s.Name)))
    |> Option.defaultValue "G/ref_cyc"
let ranked, without = runs |> List.partition (value key >> Option.isSome)
if ranked.IsEmpty then
    eprintfn "compare: no run under %s has a value '%s' in metrics.jsonl or losses.jsonl" root key
    exit 2
let order = if higher then List.sortByDescending else List.sortBy
let sorted = ranked |> order (fun r -> fst (value key r).Value)

// The keys the runs differ in, and each run's values of them (what a sweep varied).
let differing = RunResults.DifferingConfigKeys(Array.ofList runs) |> List.ofSeq
let setting (r: RunResults) =
    let flat = StarGanLab.Config.ConfigWriter.Flatten(r.Config) |> Seq.map (fun struct (k, v) -> k, v) |> dict
    String.Join(" ", [ for k in differing -> sprintf "%s=%s" (k.Substring(k.LastIndexOf('.') + 1)) flat.[k] ])
let rows =
    [ yield [ "#"; "run"; key; "step"; "differs in" ]
      for i, r in List.indexed sorted ->
        let v, step = (value key r).Value
        [ string (i + 1); r.Name; sprintf "%.5g" v; string step; setting r ] ]
printfn "%d runs under %s ranked by %s (%s is better)\n" sorted.Length (Path.GetFullPath root) key (if higher then "higher" else "lower")
printTable rows
if not without.IsEmpty then
    printfn "\nwithout %s: %s" key (String.Join(", ", without |> List.map (fun r -> r.Name)))
