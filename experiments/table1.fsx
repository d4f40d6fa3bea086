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
#load "Lab.fsx"

open System
open System.IO
open StarGanLab.Sweeps
open Lab

let iters = option "--iters" |> Option.map int |> Option.defaultValue 300
let seedList = seeds [| 1; 2 |]
let root =
    option "--root"
    |> Option.defaultValue (Path.Combine(repo, "runs", "experiments", sprintf "table1-%dit%s" iters (if flag "--tiny" then "-tiny" else "")))

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
let plans =
    [ for name, file in presets ->
        name, SweepPlan.Expand(SweepSpec(sprintf "table1-%s" name, file, Path.Combine(root, name), Array.ofList (tinySizes () @ budget iters), [||], [||], seedList)) ]
let failed = [ for name, plan in plans do for run in trainAll (name + " ") plan -> sprintf "%s/%s" name run ]

// ---- the table -----------------------------------------------------------------------------------------------------
let summaries = [ for name, plan in plans -> name, (let s = SweepSummary.Build(plan) in s.Write(); s) ]
let columns = summaries |> List.collect (fun (_, s) -> List.ofSeq s.Columns) |> List.distinct |> List.filter (fun c -> not (c.StartsWith "D/"))
printfn ""
printTable
    [ yield "preset" :: "config" :: "seeds" :: columns
      for name, s in summaries ->
        name :: s.Runs.[0].Run.Config.Name :: sprintf "%d/%d" s.Variants.[0].Finished s.Runs.Count :: [ for c in columns -> cell s.Variants.[0].Stats c ] ]
printfn "\nmean ± std over seeds of the final values; per preset, summary.md under %s" root
exitOnFailures "table1" failed
