using System.Text.RegularExpressions;

namespace StarGanLab.Config;

/// <summary>Range and consistency rules over a bound config. Each rule names the key path it
/// reports; rules touching a key that failed to bind are skipped (already reported).</summary>
internal sealed partial class ConfigValidator(
    List<ConfigProblem> problems,
    Func<string, SourceLocation> locate,
    Func<string, bool> isSet,
    IReadOnlySet<string> unbound,
    ConfigSecrets secrets,
    ConfigUse use = ConfigUse.Training)
{
    public void Validate(ExperimentConfig c)
    {
        Expect("name", c.Name.Trim().Length > 0, "a non-empty name", c.Name);
        Expect("device", DeviceRegex().IsMatch(c.Device), "auto, cpu, cuda or cuda:N", c.Device);
        Expect("threads", c.Threads >= 0, "an integer >= 0 (0: runtime default)", c.Threads);
        Expect("kernels", KernelChoices.All.Contains(c.Kernels), string.Join(", ", KernelChoices.All), c.Kernels);

        var m = c.Model;
        Expect("model.img_size", m.ImgSize is >= 16 and <= 1024 && (m.ImgSize & (m.ImgSize - 1)) == 0,
            "a power of two between 16 and 1024", m.ImgSize);
        AtMost("model.num_domains", Expect("model.num_domains", m.NumDomains >= 2, "at least 2 domains", m.NumDomains), m.NumDomains, MaxDomains);
        AtMost("model.latent_dim", Expect("model.latent_dim", m.LatentDim >= 1, "an integer >= 1", m.LatentDim), m.LatentDim, MaxWidth);
        AtMost("model.style_dim", Expect("model.style_dim", m.StyleDim >= 1, "an integer >= 1", m.StyleDim), m.StyleDim, MaxWidth);
        AtMost("model.max_conv_dim", Expect("model.max_conv_dim", m.MaxConvDim >= 1, "an integer >= 1", m.MaxConvDim), m.MaxConvDim, MaxWidth);
        AtMost("model.mapping_hidden", Expect("model.mapping_hidden", m.MappingHidden >= 1, "an integer >= 1", m.MappingHidden), m.MappingHidden, MaxWidth);
        Expect("model.w_hpf", m.WHpf >= 0, "a number >= 0", m.WHpf);
        if (m.ImgSize > 0)
            AtMost("model.width_const", Expect("model.width_const", m.WidthConst / m.ImgSize >= 1,
                $"at least model.img_size ({m.ImgSize}) so that dim_in = width_const / img_size >= 1", m.WidthConst, "model.img_size"),
                m.WidthConst / m.ImgSize, MaxWidth, $"width_const / img_size (the first layer's channels, {m.WidthConst / m.ImgSize})");

        var d = c.Data;
        Expect("data.source", d.Source is "folder" or "synthetic", "folder or synthetic", d.Source);
        AtMost("data.synthetic_domains", Expect("data.synthetic_domains", d.SyntheticDomains >= 2, "at least 2 domains", d.SyntheticDomains), d.SyntheticDomains, MaxDomains);
        Expect("data.synthetic_per_domain", d.SyntheticPerDomain >= 1, "an integer >= 1", d.SyntheticPerDomain);
        Expect("data.synthetic_texture_scale", d.SyntheticTextureScale >= Data.SyntheticOptions.MinTextureScale && d.SyntheticTextureScale <= Data.SyntheticOptions.MaxTextureScale,
               $"a number in [{Data.SyntheticOptions.MinTextureScale}, {Data.SyntheticOptions.MaxTextureScale}]", d.SyntheticTextureScale);
        Expect("data.synthetic_texture_phase_jitter", d.SyntheticTexturePhaseJitter >= 0 && d.SyntheticTexturePhaseJitter <= 1,
               "a number in [0, 1]", d.SyntheticTexturePhaseJitter);
        Expect("data.synthetic_texture_density_jitter", d.SyntheticTextureDensityJitter >= 0 && d.SyntheticTextureDensityJitter <= 1,
               "a number in [0, 1]", d.SyntheticTextureDensityJitter);
        AtMost("data.workers", Expect("data.workers", d.Workers >= 0, "an integer >= 0", d.Workers), d.Workers, MaxQueue);
        AtMost("data.prefetch", Expect("data.prefetch", d.Prefetch >= 1, "an integer >= 1", d.Prefetch), d.Prefetch, MaxQueue);
        Expect("data.max_pixels", d.MaxPixels >= 1, "an integer >= 1", d.MaxPixels);
        if (d.Source == "folder" && use == ConfigUse.Training)
            Require("data.root", d.Root.Trim().Length > 0, "required when data.source is 'folder' (the training image folder; or give --data DIR)", "data.source");
        if (d.Source == "synthetic" && isSet("data.root"))
            Require("data.root", d.Root.Trim().Length == 0,
                $"is set ('{d.Root}') but data.source is 'synthetic', which would ignore it; set data.source: folder to train on it (--data DIR sets both)",
                "data.source");
        if (d.Source == "synthetic")
            Require("model.num_domains", m.NumDomains == d.SyntheticDomains,
                $"must equal data.synthetic_domains ({d.SyntheticDomains}) when data.source is 'synthetic', got {m.NumDomains}",
                "data.synthetic_domains", "data.source");

        var l = c.Loss;
        Expect("loss.lambda_reg", l.LambdaReg >= 0, "a number >= 0", l.LambdaReg);
        Expect("loss.lambda_sty", l.LambdaSty >= 0, "a number >= 0", l.LambdaSty);
        Expect("loss.lambda_ds", l.LambdaDs >= 0, "a number >= 0", l.LambdaDs);
        Expect("loss.lambda_cyc", l.LambdaCyc >= 0, "a number >= 0", l.LambdaCyc);
        Expect("loss.ds_iter", l.DsIter >= 1, "an integer >= 1 (lambda_ds decays over ds_iter steps)", l.DsIter);
        Expect("loss.lambda_cls", l.LambdaCls >= 0, "a number >= 0", l.LambdaCls);
        ValidateComponents(m, l);

        var o = c.Optim;
        Expect("optim.lr", o.Lr > 0, "a number > 0", o.Lr);
        Expect("optim.f_lr", o.FLr > 0, "a number > 0", o.FLr);
        Expect("optim.beta1", o.Beta1 is >= 0 and < 1, "a number in [0, 1)", o.Beta1);
        Expect("optim.beta2", o.Beta2 is >= 0 and < 1, "a number in [0, 1)", o.Beta2);
        Expect("optim.weight_decay", o.WeightDecay >= 0, "a number >= 0", o.WeightDecay);
        Expect("optim.ema_beta", o.EmaBeta is >= 0 and <= 1, "a number in [0, 1]", o.EmaBeta);

        var t = c.Train;
        AtMost("train.batch_size", Expect("train.batch_size", t.BatchSize >= 1, "an integer >= 1", t.BatchSize), t.BatchSize, MaxBatch);
        AtMost("train.val_batch_size", Expect("train.val_batch_size", t.ValBatchSize >= 1, "an integer >= 1", t.ValBatchSize), t.ValBatchSize, MaxBatch);
        Expect("train.total_iters", t.TotalIters >= 1, "an integer >= 1", t.TotalIters);
        Expect("train.print_every", t.PrintEvery >= 1, "an integer >= 1", t.PrintEvery);
        Expect("train.sample_every", t.SampleEvery >= 1, "an integer >= 1", t.SampleEvery);
        Expect("train.save_every", t.SaveEvery >= 1, "an integer >= 1", t.SaveEvery);
        Expect("train.eval_every", t.EvalEvery >= 1, "an integer >= 1", t.EvalEvery);
        Expect("train.keep_checkpoints", t.KeepCheckpoints >= 0, "an integer >= 0 (0 keeps all)", t.KeepCheckpoints);
        Expect("train.on_nan", t.OnNan is "stop" or "rollback", "stop or rollback", t.OnNan);
        Expect("train.sample_outs_per_domain", t.SampleOutsPerDomain is >= 1 and <= 64, "an integer from 1 to 64", t.SampleOutsPerDomain);
        if (t.BatchSize >= 1)
            Expect("train.accumulate", t.Accumulate >= 1 && t.BatchSize % t.Accumulate == 0,
                $"an integer >= 1 that divides train.batch_size ({t.BatchSize}) into equal micro-batches", t.Accumulate, "train.batch_size");
        else
            Expect("train.accumulate", t.Accumulate >= 1, "an integer >= 1", t.Accumulate);

        Expect("run.root", c.Run.Root.Trim().Length > 0, "a non-empty directory", c.Run.Root);
        if (c.Run.Name.Length > 0 && !RunNames.TryValidate(c.Run.Name, out var reason))
            Require("run.name", false, $"is not a safe run directory name: {reason}");

        Require("fan.wing_path", !(use == ConfigUse.Training && m.WHpf > 0 && c.Fan.WingPath.Trim().Length == 0),
            "required when model.w_hpf > 0 (the high-pass masks come from the FAN); set fan.wing_path or model.w_hpf: 0",
            "model.w_hpf");

        var e = c.Metrics;
        Expect("metrics.backbone", e.Backbone is "resnet18" or "inception" or "none", "resnet18, inception or none", e.Backbone);
        if (e.GroundTruth)
            Require("metrics.ground_truth", c.Data.Source == "synthetic",
                "needs data.source: synthetic (the ground truth comes from the synthetic set's known factors)", "data.source");
        // Caught here, not after an hour of training when the end-of-run evaluation finds it has nothing to compute.
        Require("metrics.eval_at_end", !(e.EvalAtEnd && e.Backbone == "none" && !e.GroundTruth),
            "has nothing to evaluate: metrics.backbone is none (no FID/LPIPS) and metrics.ground_truth is false; set either, or eval_at_end: false",
            "metrics.backbone", "metrics.ground_truth");
        Expect("metrics.modes", EvalModes.TryParse(e.Modes, out _), "latent, reference or latent,reference", e.Modes);
        Expect("metrics.num_outs_per_domain", e.NumOutsPerDomain >= 2, "an integer >= 2 (LPIPS compares pairs of outputs)", e.NumOutsPerDomain);
        Expect("metrics.seeds", e.Seeds >= 1, "an integer >= 1", e.Seeds);
        AtMost("metrics.batch_size", Expect("metrics.batch_size", e.BatchSize >= 1, "an integer >= 1", e.BatchSize), e.BatchSize, MaxBatch);
        if (e.Backbone == "inception")
            foreach (var (key, value) in new[] { ("metrics.inception_weights", e.InceptionWeights), ("metrics.alexnet_weights", e.AlexnetWeights), ("metrics.lpips_weights", e.LpipsWeights) })
                Require(key, value.Trim().Length > 0, "required when metrics.backbone is 'inception' (the official FID and LPIPS need pretrained weights we cannot download); set it or use metrics.backbone: resnet18", "metrics.backbone");
    }

    /// <summary>The component switches (paper section 4.1, Table 1) and the combinations that have no meaning.</summary>
    void ValidateComponents(ModelConfig m, LossConfig l)
    {
        // The values themselves were checked by the loader (they are enums); these are the combinations.
        if (m.Injection == InjectionMode.Concat)
            Require("model.style_source", m.StyleSource == StyleCode.Domain,
                $"must be domain when model.injection is concat (the concatenated input carries only the domain label), got '{ConfigScalars.EnumName(m.StyleSource)}'",
                "model.injection");
        if (m.StyleSource == StyleCode.Domain)
        {
            Require("loss.lambda_sty", l.LambdaSty == 0,
                $"must be 0 when model.style_source is domain (a one-hot domain code has no style to reconstruct and no style encoder), got {Show(l.LambdaSty)}",
                "model.style_source");
            Require("loss.lambda_ds", l.LambdaDs == 0,
                $"must be 0 when model.style_source is domain (one deterministic output per domain has nothing to diversify), got {Show(l.LambdaDs)}",
                "model.style_source");
        }
        if (m.StyleSource == StyleCode.Latent)
            Require("model.style_source", l.LambdaSty > 0 || l.LambdaCyc > 0,
                "latent needs loss.lambda_sty > 0 or loss.lambda_cyc > 0: its encoder E(x) serves the latent reconstruction and the cycle's source code, and with both 0 it would be built and never trained",
                "loss.lambda_sty", "loss.lambda_cyc");
        Expect("loss.lambda_gp", l.LambdaGp >= 0, "a number >= 0", l.LambdaGp);
        if (l.Adversarial == AdversarialLoss.Nonsaturating)
            Require("loss.lambda_gp", l.LambdaGp == 10,
                $"is used only with loss.adversarial wgan_gp (the gradient penalty of the Wasserstein loss), got {Show(l.LambdaGp)}",
                "loss.adversarial");
        // A resolved config.yaml lists every key, so a default weight is accepted whatever it belongs to.
        if (m.Discriminator == DiscriminatorHead.Multitask)
            Require("loss.lambda_cls", l.LambdaCls == 1,
                $"is used only with model.discriminator classifier (the multi-task discriminator has no classification head), got {Show(l.LambdaCls)}; remove it or set model.discriminator: classifier",
                "model.discriminator");
    }

    // Upper bounds far above any trainable value, so that sizes multiplied together stay well inside a long and no
    // allocation is attempted for a typo (train.batch_size=100000000 overflowed; model.style_dim=2e9 asked the
    // allocator for 128 GB; data.prefetch=2e9 queued 2e9 batch slots). Whether a config within them fits this
    // machine is for the memory estimate (Training/MemoryEstimate, shown by --dry-run) to say.
    const long MaxDomains = 1024, MaxWidth = 65_536, MaxBatch = 65_536, MaxQueue = 256;

    /// <summary>Reports "path: expected at most max" when <paramref name="lowerOk"/> held and value is above it.</summary>
    void AtMost(string path, bool lowerOk, long value, long max, string? what = null)
    {
        if (lowerOk && value > max)
            Add(path, $"expected {(what is null ? "" : what + " ")}at most {max}, got {value} (see stargan train --dry-run for the memory a config needs)", path);
    }

    /// <summary>Reports "path: expected ..., got actual" unless ok; returns ok.</summary>
    bool Expect(string path, bool ok, string expected, object actual, params string[] dependsOn)
    {
        if (ok || Skip(path, dependsOn)) return ok;
        Add(path, $"expected {expected}, got {secrets.ReferenceFor(path, actual) ?? Show(actual)}", path);
        return false;
    }

    /// <summary>Reports "path: message" unless ok; located at the first of path and
    /// <paramref name="related"/> that the config sets, so a wrong default points at what made it wrong.</summary>
    void Require(string path, bool ok, string message, params string[] related)
    {
        if (ok || Skip(path, related)) return;
        Add(path, message, new[] { path }.Concat(related).FirstOrDefault(isSet) ?? path);
    }

    bool Skip(string path, string[] others) => unbound.Contains(path) || others.Any(unbound.Contains);

    void Add(string path, string message, string locatePath)
    {
        var at = locate(locatePath);
        problems.Add(new ConfigProblem(at.File, at.Line, at.Column, path, message));
    }

    static string Show(object value) => value is string s ? $"'{s}'" : ConfigScalars.Format(value);

    [GeneratedRegex(@"^(auto|cpu|cuda|cuda:\d+)$")]
    private static partial Regex DeviceRegex();
}
