namespace StarGanLab.Config;

// The experiment configuration: immutable records whose defaults are the official StarGAN v2
// ones (clovaai/stargan-v2 main.py) unless a comment says otherwise. YAML keys are the
// snake_case parameter names (WHpf -> w_hpf); ConfigLoader binds them by reflection over the
// primary constructors, so adding a field or a section here is the whole change.
// Ablations are `with` expressions over a loaded config; nothing mutates a config.

/// <summary>One experiment. Sections left out of the YAML take their defaults.</summary>
/// <param name="Name">Experiment name; the run name derives from it (required).</param>
/// <param name="Seed">Seed for every random generator (official: 777).</param>
/// <param name="Device">auto | cpu | cuda | cuda:N.</param>
/// <param name="Threads">CPU threads for torch; 0 lets the runtime choose.</param>
/// <param name="Preset">Free-form label of the preset a config was derived from; informational.</param>
/// <param name="Kernels">How convolutions reach libtorch: auto (the kernel self-check picks native, or padded where
/// this CPU's oneDNN computes wrong results) | native | padded. See Kernels/KernelGuard and `stargan doctor`.</param>
public sealed record ExperimentConfig(
    string Name,
    int Seed = 777,
    string Device = "auto",
    int Threads = 0,
    string Preset = "",
    string Kernels = "auto",
    ModelConfig? Model = null,
    DataConfig? Data = null,
    LossConfig? Loss = null,
    OptimConfig? Optim = null,
    TrainConfig? Train = null,
    RunConfig? Run = null,
    FanConfig? Fan = null,
    MetricsConfig? Metrics = null)
{
    // Records cannot take a constructed default, so a null section means "all defaults".
    public ModelConfig Model { get; init; } = Model ?? new();
    public DataConfig Data { get; init; } = Data ?? new();
    public LossConfig Loss { get; init; } = Loss ?? new();
    public OptimConfig Optim { get; init; } = Optim ?? new();
    public TrainConfig Train { get; init; } = Train ?? new();
    public RunConfig Run { get; init; } = Run ?? new();
    public FanConfig Fan { get; init; } = Fan ?? new();
    public MetricsConfig Metrics { get; init; } = Metrics ?? new();

    /// <summary>Values that were given as <c>${env:NAME}</c> references (see <see cref="ConfigSecrets"/>);
    /// written back only as their references.</summary>
    public ConfigSecrets Secrets { get; init; } = ConfigSecrets.None;
}

/// <summary>Network shapes (paper section 3 and appendix; official model.py).</summary>
/// <param name="ImgSize">Square image resolution; a power of two in 16..1024.</param>
/// <param name="NumDomains">Number of domains (official default 2: CelebA-HQ female/male).</param>
/// <param name="LatentDim">Latent code z fed to the mapping network (16).</param>
/// <param name="StyleDim">Style code s (64).</param>
/// <param name="WidthConst">Generator, style encoder and discriminator input width: dim_in = WidthConst / ImgSize (official 2^14).</param>
/// <param name="MaxConvDim">Cap on convolution channels (512).</param>
/// <param name="MappingHidden">Hidden width of the mapping network (official hidden_dim 512).</param>
/// <param name="WHpf">Weight of the high-pass filtered skips from FAN masks. Official default is 1
/// (CelebA-HQ); here 0 so a config without a FAN checkpoint is valid. AFHQ uses 0.</param>
/// <param name="Injection">How the generator receives the target: adain (a code modulates every decoder block,
/// official) | concat (StarGAN v1's depth-wise concatenation: the one-hot domain label replicated over the image
/// and concatenated to the input; the decoder blocks then carry no modulation). Paper section 4.1, Table 1 (A) to (C).</param>
/// <param name="StyleSource">What the AdaIN code is: style (domain-specific style codes from the mapping network F
/// and the style encoder E, official) | latent (the one-hot target domain and a latent code z, with a domain-shared
/// encoder E(x) for the latent reconstruction loss; no F; Table 1 (D)) | domain (the one-hot target domain only:
/// one deterministic output per domain, no F and no E; Table 1 (A) to (C)). concat needs domain.</param>
/// <param name="Discriminator">multitask (one real/fake output per domain, official) | classifier (StarGAN v1's
/// ACGAN discriminator: one real/fake output and a domain classifier, trained with loss.lambda_cls; Table 1 (A)).</param>
public sealed record ModelConfig(
    int ImgSize = 256,
    int NumDomains = 2,
    int LatentDim = 16,
    int StyleDim = 64,
    int WidthConst = 16384,
    int MaxConvDim = 512,
    int MappingHidden = 512,
    double WHpf = 0,
    InjectionMode Injection = InjectionMode.Adain,
    StyleCode StyleSource = StyleCode.Style,
    DiscriminatorHead Discriminator = DiscriminatorHead.Multitask);

/// <summary>Where images come from.</summary>
/// <param name="Source">folder (ImageFolder: one sub-folder per domain) | synthetic (the embedded procedural set).</param>
/// <param name="Root">Training images (official train_img_dir); required for folder.</param>
/// <param name="ValRoot">Validation images (official val_img_dir); empty: no validation set.</param>
/// <param name="SyntheticDomains">Domains of the synthetic set; must equal model.num_domains.</param>
/// <param name="SyntheticPerDomain">Images per domain of the synthetic set.</param>
/// <param name="SyntheticSeed">Seed of the synthetic set, independent of the training seed.</param>
/// <param name="SyntheticTextureScale">Period of the synthetic set's stripes and spots relative to the default (1; 0.5-3).</param>
/// <param name="SyntheticTexturePhaseJitter">Share of a period by which the stripes' and spots' phase varies between
/// images (1, the default: uniformly; 0: anchored at the head's centre).</param>
/// <param name="SyntheticTextureDensityJitter">Share of the 9-15 unit range over which their period varies (1, the
/// default; 0: always 12 units). Both at 0: the texture kind alone decides the pattern at a given pose.</param>
/// <param name="Workers">Loader threads (official num_workers is 4; 2 suits small machines).</param>
/// <param name="Prefetch">Batches decoded ahead of the trainer.</param>
/// <param name="MaxPixels">Refuse decoding images larger than this many pixels (decompression bombs).</param>
public sealed record DataConfig(
    string Source = "folder",
    string Root = "",
    string ValRoot = "",
    int SyntheticDomains = 3,
    int SyntheticPerDomain = 1000,
    int SyntheticSeed = 777,
    double SyntheticTextureScale = 1,
    double SyntheticTexturePhaseJitter = 1,
    double SyntheticTextureDensityJitter = 1,
    int Workers = 2,
    int Prefetch = 4,
    long MaxPixels = 67108864);

/// <summary>Loss weights (paper eq. 5-7; official solver.py). A weight of 0 skips the term's computation
/// (no R1 double backward, no style-encoder pass on the fake, no second fake, no reconstruction); the log shows it as 0.</summary>
/// <param name="LambdaReg">R1 regularisation on real images.</param>
/// <param name="LambdaSty">Style reconstruction (with model.style_source latent: the latent reconstruction |z - E(G(x, z, y))|).</param>
/// <param name="LambdaDs">Initial diversity-sensitive weight; decays linearly to 0 over DsIter steps.</param>
/// <param name="LambdaCyc">Cycle consistency.</param>
/// <param name="DsIter">Steps over which lambda_ds decays to 0.</param>
/// <param name="LambdaCls">Domain classification (StarGAN v1 eq. 2-3), only with model.discriminator classifier:
/// D learns to classify real images, G is trained so that its fakes are classified as the target domain.</param>
/// <param name="Adversarial">nonsaturating (BCE with logits, official) | wgan_gp (StarGAN v1's Wasserstein loss with a
/// gradient penalty on interpolates, the baseline of Table 1 (A), (B)).</param>
/// <param name="LambdaGp">Gradient penalty weight, only with wgan_gp (StarGAN v1: 10).</param>
public sealed record LossConfig(
    double LambdaReg = 1,
    double LambdaSty = 1,
    double LambdaDs = 1,
    double LambdaCyc = 1,
    int DsIter = 100000,
    double LambdaCls = 1,
    AdversarialLoss Adversarial = AdversarialLoss.Nonsaturating,
    double LambdaGp = 10);

/// <summary>Adam settings (official: lr 1e-4, F lr 1e-6, betas (0, 0.99), weight decay 1e-4) and EMA.</summary>
/// <param name="EmaBeta">Exponential moving average of G, F, E (0.999).</param>
/// <param name="Ema">false: no EMA copies exist; samples, evaluation and the nets_ema checkpoint use the training networks.</param>
public sealed record OptimConfig(
    double Lr = 1e-4,
    double FLr = 1e-6,
    double Beta1 = 0.0,
    double Beta2 = 0.99,
    double WeightDecay = 1e-4,
    double EmaBeta = 0.999,
    bool Ema = true);

/// <summary>Loop lengths and periods (official main.py step sizes).</summary>
/// <param name="KeepCheckpoints">Newest checkpoints kept on disk; 0 keeps all.</param>
/// <param name="OnNan">stop: end the run on a non-finite loss | rollback: reload the newest good checkpoint and continue
/// after the offending batch, at most 3 times per checkpoint (TrainingSession.RollBack).</param>
/// <param name="SampleOutsPerDomain">Latent codes per target domain in the training sample grids (official
/// num_outs_per_domain: 10).</param>
/// <param name="InitFrom">Fine-tuning: a checkpoint to start a new run from (an official .ckpt in either PyTorch
/// format, one of our .sgl files, or a run folder: its newest checkpoint), with fresh optimizers and step 0; empty:
/// He init from the seed. Only model.num_domains may differ from the checkpoint's model (docs/finetuning.md has the
/// domain rule). A started run records the resolved file here and its SHA-256 in init_from.json; a resume never
/// re-applies it.</param>
/// <param name="Accumulate">Gradient accumulation: each batch is split into this many equal micro-batches, whose
/// gradients are summed before each network steps once, as with the whole batch (every loss is a per-sample mean); the
/// activations held at once shrink with the micro-batch. Must divide BatchSize; 1 (the official) does not split.</param>
/// <param name="Precision">fp32 | bf16: the number format of the training step's convolutions. bf16 computes them in
/// bfloat16 (inputs and weights cast, results back in float32) on CPUs with avx512_bf16 or amx_bf16 and is refused
/// elsewhere; parameters, optimizer, EMA, losses and R1's double backward stay float32. Samples and evaluation run in
/// float32 either way. See docs/precision.md.</param>
public sealed record TrainConfig(
    int BatchSize = 8,
    int ValBatchSize = 32,
    int TotalIters = 100000,
    int PrintEvery = 10,
    int SampleEvery = 5000,
    int SaveEvery = 10000,
    int EvalEvery = 50000,
    int KeepCheckpoints = 0,
    string OnNan = "stop",
    int SampleOutsPerDomain = 10,
    string InitFrom = "",
    int Accumulate = 1,
    ComputePrecision Precision = ComputePrecision.Fp32);

/// <summary>Where the run directory goes.</summary>
/// <param name="Root">Parent directory of run directories.</param>
/// <param name="Name">Run directory name; empty derives it from the config name and overrides (RunNames.Derive).</param>
public sealed record RunConfig(
    string Root = "runs",
    string Name = "");

/// <summary>The face alignment network whose heatmaps become the high-pass masks (needed when w_hpf &gt; 0).</summary>
/// <param name="WingPath">Checkpoint of the official FAN (expr/checkpoints/wing.ckpt).</param>
public sealed record FanConfig(
    string WingPath = "");

/// <summary>Evaluation (stargan eval, and train.eval_every during training); see Metrics/Evaluation.cs.</summary>
/// <param name="Backbone">resnet18: the offline ImageNet ResNet18 shipped in a NuGet package; its numbers are named
/// fid_resnet18 / lpips_resnet18 | inception: the official FID (InceptionV3) and LPIPS (AlexNet + linear weights),
/// which need the three weight files below.</param>
/// <param name="InceptionWeights">torchvision inception_v3 ImageNet state dict (inception_v3_google-*.pth).</param>
/// <param name="AlexnetWeights">torchvision alexnet ImageNet state dict (alexnet-owt-*.pth).</param>
/// <param name="LpipsWeights">The official LPIPS linear weights (stargan-v2 metrics/lpips_weights.ckpt).</param>
/// <param name="Modes">Comma-separated: latent, reference or both.</param>
/// <param name="NumOutsPerDomain">Outputs per source image (official 10).</param>
/// <param name="Seeds">Evaluations with seeds seed, seed+1, ...; mean and std are reported over them.</param>
/// <param name="BatchSize">Images per backbone forward.</param>
/// <param name="CacheDir">Where real-image feature statistics are cached; empty: ~/.cache/stargan/real-stats.</param>
/// <param name="EvalAtEnd">Also evaluate at the last training step (besides every train.eval_every steps).</param>
/// <param name="GroundTruth">Add the synthetic set's ground-truth metrics (Metrics/GroundTruth) to every evaluation;
/// needs data.source synthetic. With backbone none they are the only metrics: a fast evaluation for ablations.</param>
public sealed record MetricsConfig(
    string Backbone = "resnet18",
    string InceptionWeights = "",
    string AlexnetWeights = "",
    string LpipsWeights = "",
    string Modes = "latent,reference",
    int NumOutsPerDomain = 10,
    int Seeds = 1,
    int BatchSize = 32,
    string CacheDir = "",
    bool EvalAtEnd = false,
    bool GroundTruth = false);
