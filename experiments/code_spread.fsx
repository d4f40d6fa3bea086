// Where latent diversity goes: for each domain, the spread of the mapping network's style codes F(z, y) over fresh
// z against the spread of the style encoder's codes E(x, y) over the domain's validation images, and how far apart
// their means are. The generator only ever learns to read codes where they land; if F's codes are a narrow cloud
// away from E's (ratio far below 1), latent-guided outputs all look alike however well reference-guided ones vary.
// On the synthetic set it also asks whether E's codes hold each reference's texture kind (plain, stripes, spots):
// the accuracy of the nearest class mean (each dimension standardised), fitted on one half of the validation images and read on the other. If E
// holds it and translations still lack it, the generator is what cannot draw it.
//
//   dotnet publish core/StarGanLab -c Release -r linux-x64 --self-contained false -o artifacts/lib   # once
//   dotnet fsi experiments/code_spread.fsx runs/quickstart [--step 2000] [--codes 200]
#load "Lab.fsx"
#r "../artifacts/lib/TorchSharp.dll"

open System
open TorchSharp
open StarGanLab.Data
open StarGanLab.Metrics
open StarGanLab.Metrics.GroundTruth
open StarGanLab.Networks
open StarGanLab.Runs
open Lab

let runDir =
    match args |> List.tryHead |> Option.filter (fun a -> not (a.StartsWith "--")) with
    | Some dir -> dir
    | None -> eprintfn "code_spread: give a run directory (e.g. runs/quickstart)"; exit 2
let step = option "--step" |> Option.map int64 |> Option.toNullable
let codes = option "--codes" |> Option.map int |> Option.defaultValue 200

let model = TrainedModel.Load(runDir, step)
if not (model.Config.Model.HasReferences()) then
    eprintfn "code_spread: %s has no mapping network and style encoder (%s)" runDir (model.Config.Model.Describe())
    exit 2
let struct (_, validation) = DataSources.Open(model.Config, Action<string> ignore)
let noGrad = torch.no_grad()   // for the whole script: nothing here trains
let rng = torch.Generator(uint64 model.Config.Seed)
let spread (s: torch.Tensor) = s.std([| 0L |]).mean().item<float32>()
printfn "run %s, step %d: per domain, std over codes (mean over the %d dimensions)" runDir model.Step model.Config.Model.StyleDim
// Spread alone does not say whether F varies along the directions G reads: the share of F's variance that lies in
// the span of E's top-k principal directions (a random k-dimensional subspace would hold k / style_dim of it).
let k = 8
let share (fromZ: torch.Tensor) (fromX: torch.Tensor) =
    let struct (_, _, vh) = torch.linalg.svd(fromX - fromX.mean([| 0L |]), fullMatrices = false)
    let basis = vh.narrow(0L, 0L, int64 k)                                   // (k, style_dim), orthonormal rows
    let centred = fromZ - fromZ.mean([| 0L |])
    (centred.matmul(basis.t()).square().sum() / centred.square().sum()).item<float32>()
printTable
    [ yield [ "domain"; "F(z) std"; "E(x) std"; "ratio"; "|mean F - mean E|"; sprintf "F's variance in E's top %d" k ]
      for d in 0 .. validation.DomainNames.Count - 1 do
          let refs = EvalImages.Load(validation, d, 0, min codes (validation.Count d), model.Config.Model.ImgSize)
          let n = refs.size 0
          let y = torch.ones([| n |], dtype = torch.int64) * int64 d
          let fromZ = model.Nets.LatentStyle(torch.randn([| n; int64 model.Config.Model.LatentDim |], generator = rng), y)
          let fromX = model.Nets.ReferenceStyle(refs, y)
          let gap = (fromZ.mean([| 0L |]) - fromX.mean([| 0L |])).abs().mean().item<float32>()
          yield [ validation.DomainNames.[d]; sprintf "%.3f" (spread fromZ); sprintf "%.3f" (spread fromX)
                  sprintf "%.3f" (spread fromZ / spread fromX); sprintf "%.3f" gap
                  sprintf "%.2f (random %.2f)" (share fromZ fromX) (float k / float model.Config.Model.StyleDim) ] ]

// ---- texture kind in E's codes (synthetic set only) ----------------------------------------------------------------
if model.Config.Data.Source = "synthetic" then
    let set = SyntheticGroundTruth.DataOf model.Config
    let kinds = SyntheticFactors.TextureKinds
    printfn "\ntexture kind read back from E(x) by the nearest class mean, dimensions standardised (fit on the first half, read on the second)"
    printTable
        [ yield [ "domain"; "accuracy"; "chance" ]
          for d in 0 .. validation.DomainNames.Count - 1 do
              let n = min codes (validation.Count d)
              let y = torch.ones([| int64 n |], dtype = torch.int64) * int64 d
              let raw = model.Nets.ReferenceStyle(EvalImages.Load(validation, d, 0, n, model.Config.Model.ImgSize), y)
              // Each dimension scaled by its spread on the fit half, so colour, the widest factor, does not drown the rest.
              let fit = raw.narrow(0L, 0L, int64 (n / 2))
              let s = (raw - fit.mean([| 0L |])) / (fit.std([| 0L |]) + 1e-6)
              let kind = [| for i in 0 .. n - 1 -> set.Factors(d, i, Split.Val).Texture |]
              let half = n / 2
              let means =
                  [| for k in 0 .. kinds - 1 ->
                       let rows = [| for i in 0 .. half - 1 do if kind.[i] = k then yield int64 i |]
                       if rows.Length = 0 then None else Some(s.index_select(0L, torch.tensor(rows)).mean([| 0L |])) |]
              let predict (i: int) =
                  means |> Array.mapi (fun k m -> k, m) |> Array.choose (fun (k, m) -> m |> Option.map (fun m -> k, (s.[int64 i] - m).square().sum().item<float32>()))
                  |> Array.minBy snd |> fst
              let held = [ half .. n - 1 ]
              let hits = held |> List.filter (fun i -> predict i = kind.[i]) |> List.length
              let common = held |> List.countBy (fun i -> kind.[i]) |> List.map snd |> List.max
              yield [ validation.DomainNames.[d]; sprintf "%.3f" (float hits / float held.Length); sprintf "%.3f" (float common / float held.Length) ] ]
