// Table 1 of the paper on the embedded synthetic set, from one sweep: configs/sweeps/table1.yaml runs the presets
// configs/ablations/A.yaml .. F.yaml (from the StarGAN baseline, A, to StarGAN v2, F) over 3 seeds, each evaluated
// at its end with the ground-truth metrics and the offline FID / LPIPS. This script trains whatever of that sweep is
// not finished (in this process, one run after the other; `stargan sweep configs/sweeps/table1.yaml --parallel 2`
// or `--submit` trains the very same runs faster, and either can continue the other's), then writes one row per
// preset (mean ± sd [95% CI] over seeds) as table1.md and the plot table1.html under the sweep's root.
//
//   dotnet publish core/StarGanLab -c Release -r linux-x64 --self-contained false -o artifacts/lib   # once
//   dotnet fsi experiments/table1.fsx                       # the sweep as configured (18 runs, ~5 min each)
//   dotnet fsi experiments/table1.fsx --no-train            # only the table and plot from the runs there are
//   dotnet fsi experiments/table1.fsx --iters 2 --tiny --seeds 1,2 --root /tmp/t1   # a smoke test: 16 px nets, seconds
//
// --iters, --tiny and --seeds change the runs, so they need their own --root (the sweep refuses to change finished runs).
#load "Lab.fsx"

open System
open System.IO
open StarGanLab.Sweeps
open Lab

let specFile = option "--spec" |> Option.defaultValue (Path.Combine(repo, "configs", "sweeps", "table1.yaml"))
let changed = [ "--iters"; "--tiny"; "--seeds" ] |> List.exists (fun o -> flag o || (option o).IsSome)
let spec =
    let s = SweepSpecLoader.Load specFile
    let s = match option "--iters" with Some n -> s.WithSet(budget (int n)) | None -> s
    let s = s.WithSet(tinySizes ())
    let s = match option "--seeds" with Some _ -> s.WithSeeds(seeds [||]) | None -> s
    match option "--root", changed with
    | Some root, _ -> s.WithRoot(Path.GetFullPath root)
    | None, true ->
        eprintfn "table1: --iters, --tiny and --seeds change the sweep's runs; give them a folder of their own with --root DIR"
        exit 2
    | None, false -> s.WithRoot(Path.GetFullPath s.Root)
let plan = SweepPlan.Expand spec

let failed = if flag "--no-train" then [] else trainAll "" plan

// ---- the table -----------------------------------------------------------------------------------------------------
let summary = SweepSummary.Build plan
summary.Write()
// Ground truth first (what a translation should be), then the offline FID and LPIPS (what the paper reports).
let wanted =
    [ "gt_latent/domain_acc/mean"; "gt_reference/domain_acc/mean"
      "gt_latent/content_err/mean"; "gt_reference/content_err/mean"
      "gt_reference/style_err/mean"; "gt_reference/texture_acc/mean"
      "gt_latent/diversity/mean"; "gt_reference/diversity/mean"
      "FID_latent/mean"; "FID_reference/mean"; "LPIPS_latent/mean"; "LPIPS_reference/mean"
      "fid_resnet18_latent/mean"; "fid_resnet18_reference/mean"; "lpips_resnet18_latent/mean"; "lpips_resnet18_reference/mean" ]
let columns = wanted |> List.filter (fun c -> summary.Variants |> Seq.exists (fun g -> g.Stats.ContainsKey c))
let spread = summary.Variants |> Seq.tryPick (fun g -> match g.Stats.TryGetValue "gt_data/style_spread" with | true, s -> Some s.Mean | _ -> None)
let rows =
    [ yield "preset" :: "seeds" :: columns
      for g in summary.Variants ->
        g.Label :: sprintf "%d/%d" g.Finished g.Rows.Count :: [ for c in columns -> match g.Stats.TryGetValue c with | true, s -> SweepSummary.Format s | _ -> "" ] ]
printfn ""
printTable rows

let note =
    sprintf "%s: %d runs (%d finished) under %s; mean ± sample std [95%% t interval] over seeds of each run's final evaluation%s."
        spec.Name summary.Runs.Count (summary.Runs |> Seq.filter (fun r -> r.State = RunState.Finished) |> Seq.length) plan.Folder.Root
        (match spread with Some s -> sprintf "; the data's own style spread (gt_data/style_spread) is %.3f" s | None -> "")
let markdown =
    let line (cells: string list) = "| " + String.Join(" | ", cells |> List.map (fun c -> c.Replace("|", "\\|"))) + " |"
    String.Join("\n",
        [ yield "# Table 1 on the synthetic set"; yield ""; yield note; yield ""
          yield line rows.Head
          yield line [ for _ in rows.Head -> "---" ]
          for r in rows.Tail -> line r ]) + "\n"
let tableFile = Path.Combine(plan.Folder.Root, "table1.md")
File.WriteAllText(tableFile, markdown)
let plotFile = SweepCharts.WriteHtml(summary, Array.ofList columns, Path.Combine(plan.Folder.Root, "table1.html"), "Table 1 on the synthetic set", note)
printfn "\n%s\nwrote %s and %s" note tableFile plotFile
exitOnFailures "table1" failed
