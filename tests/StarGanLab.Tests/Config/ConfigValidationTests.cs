using Xunit;
using StarGanLab.Config;
using static StarGanLab.Tests.Config.ConfigTestSupport;

namespace StarGanLab.Tests.Config;

public class ConfigValidationTests
{
    // Each case: YAML, the key path reported, its line (0: no position), and the wording expected.
    // V(body) puts body at line 3 after a valid two-line prefix.
    static string V(string body) => Valid + body;

    public static TheoryData<string, string, int, string> InvalidConfigs => new()
    {
        { V("train:\n  batch_size: eight\n"), "train.batch_size", 4, "expected an integer, got 'eight'" },
        { V("train:\n  batch_size: 0\n"), "train.batch_size", 4, "expected an integer >= 1, got 0" },
        { V("train:\n  total_iters: 99999999999\n"), "train.total_iters", 4, "expected an integer, got '99999999999'" },
        { V("model:\n  img_size: 100\n"), "model.img_size", 4, "expected a power of two between 16 and 1024, got 100" },
        { V("model:\n  img_size: 2048\n"), "model.img_size", 4, "expected a power of two between 16 and 1024, got 2048" },
        { V("optim:\n  lr: 0\n"), "optim.lr", 4, "expected a number > 0, got 0" },
        { V("optim:\n  lr: fast\n"), "optim.lr", 4, "expected a number, got 'fast'" },
        { V("optim:\n  f_lr: .nan\n"), "optim.f_lr", 4, "expected a number, got '.nan'" },
        { V("optim:\n  beta1: 1\n"), "optim.beta1", 4, "expected a number in [0, 1), got 1" },
        { V("optim:\n  beta2: -0.1\n"), "optim.beta2", 4, "expected a number in [0, 1), got -0.1" },
        { V("optim:\n  ema_beta: 1.5\n"), "optim.ema_beta", 4, "expected a number in [0, 1], got 1.5" },
        { V("model:\n  w_hpf: -1\n"), "model.w_hpf", 4, "expected a number >= 0, got -1" },
        { V("model:\n  num_domains: 1\n"), "model.num_domains", 4, "expected at least 2 domains, got 1" },
        { V("device: gpu\n"), "device", 3, "expected auto, cpu, cuda or cuda:N, got 'gpu'" },
        { V("device: cuda:x\n"), "device", 3, "expected auto, cpu, cuda or cuda:N, got 'cuda:x'" },
        { V("train:\n  on_nan: ignore\n"), "train.on_nan", 4, "expected stop or rollback, got 'ignore'" },
        { V("train:\n  precision: fp16\n"), "train.precision", 4, "expected one of fp32, bf16, got 'fp16'" },
        { "name: t\ndata:\n  source: web\n  root: r\n", "data.source", 3, "expected folder or synthetic, got 'web'" },
        { "name: t\ndata:\n  source: folder\n", "data.root", 3, "required when data.source is 'folder'" },
        { "name: t\nmodel:\n  num_domains: 4\ndata:\n  source: synthetic\n", "model.num_domains", 3, "must equal data.synthetic_domains (3)" },
        { V("model:\n  w_hpf: 1\n"), "fan.wing_path", 4, "required when model.w_hpf > 0" },
        { V("model:\n  img_size: 512\n  width_const: 256\n"), "model.width_const", 5, "expected at least model.img_size (512)" },
        { V("train:\n  batchsize: 4\n"), "train.batchsize", 4, "unknown key 'batchsize'; did you mean 'train.batch_size'?" },
        { V("model:\n  batch_size: 4\n"), "model.batch_size", 4, "did you mean 'train.batch_size'?" },
        { V("modle:\n  img_size: 32\n"), "modle", 3, "did you mean 'model'?" },
        { "name: t\ndata: {source: synthetic, synthetic_domains: 2, root: /x}\n", "data.root", 2, "is set ('/x') but data.source is 'synthetic', which would ignore it" },
        { V("train:\n  threads: 1\n"), "train.threads", 4, "unknown key 'threads'; did you mean 'threads' (a top-level key)?" },
        { V("optim:\n  batch_size: 1\n"), "optim.batch_size", 4, "unknown key 'batch_size'; did you mean 'train.batch_size'?" },
        { V("loss:\n  ds_iter: 0\n"), "loss.ds_iter", 4, "expected an integer >= 1" },
        { "name: t\ndata: {source: synthetic, synthetic_domains: 2, synthetic_texture_scale: 0}\n", "data.synthetic_texture_scale", 2, "expected a number in [0.5, 3], got 0" },
        { "name: t\ndata: {source: synthetic, synthetic_domains: 2, synthetic_texture_phase_jitter: -0.5}\n", "data.synthetic_texture_phase_jitter", 2, "expected a number in [0, 1], got -0.5" },
        { "name: t\ndata: {source: synthetic, synthetic_domains: 2, synthetic_texture_density_jitter: 2}\n", "data.synthetic_texture_density_jitter", 2, "expected a number in [0, 1], got 2" },
        { V("loss:\n  lambda_cyc: -1\n"), "loss.lambda_cyc", 4, "expected a number >= 0, got -1" },
        { V("metrics:\n  eval_at_end: true\n  backbone: none\n"), "metrics.eval_at_end", 4, "has nothing to evaluate: metrics.backbone is none" },
        { V("train: 8\n"), "train", 3, "expected a mapping of train keys, got '8'" },
        { V("seed: [1, 2]\n"), "seed", 3, "expected an integer, got a sequence" },
        { V("seed:\n"), "seed", 3, "expected an integer, got null" },
        { V("run:\n  name: ../escape\n"), "run.name", 4, "is not a safe run directory name" },
        { V("threads: -1\n"), "threads", 3, "expected an integer >= 0" },
        { V("train:\n  keep_checkpoints: -1\n"), "train.keep_checkpoints", 4, "expected an integer >= 0" },
        { V("fan:\n  wing_path: !secret abc\n"), "fan.wing_path", 4, "YAML tag '!secret' is not supported" },
        { "data: {source: synthetic, synthetic_domains: 2}\n", "name", 0, "required key is missing; expected a string" },
        { V("train:\n  batch_size: 1\n  batch_size: 2\n"), "", 5, "Duplicate key" },
        { V("train: [1,\n"), "", 4, "YAML syntax error" },
        // component switches (paper section 4.1, Table 1)
        { V("model:\n  injection: film\n"), "model.injection", 4, "expected one of adain, concat, got 'film'" },
        { V("model:\n  style_source: noise\n"), "model.style_source", 4, "expected one of style, latent, domain, got 'noise'" },
        { V("model:\n  discriminator: patch\n"), "model.discriminator", 4, "expected one of multitask, classifier, got 'patch'" },
        { V("optim:\n  ema: maybe\n"), "optim.ema", 4, "expected true or false, got 'maybe'" },
        { V("model:\n  discriminator: classifier\nloss:\n  lambda_cls: -1\n"), "loss.lambda_cls", 6, "expected a number >= 0, got -1" },
        { V("model:\n  injection: concat\n"), "model.style_source", 4, "must be domain when model.injection is concat" },
        { V("model:\n  injection: concat\n  style_source: latent\n"), "model.style_source", 5, "carries only the domain label), got 'latent'" },
        { V("model:\n  style_source: domain\nloss:\n  lambda_ds: 0\n"), "loss.lambda_sty", 4, "must be 0 when model.style_source is domain" },
        { V("model:\n  style_source: domain\nloss:\n  lambda_sty: 0\n  lambda_ds: 2\n"), "loss.lambda_ds", 7, "must be 0 when model.style_source is domain (one deterministic output per domain has nothing to diversify), got 2" },
        { V("model:\n  style_source: latent\nloss:\n  lambda_sty: 0\n  lambda_cyc: 0\n"), "model.style_source", 4, "latent needs loss.lambda_sty > 0 or loss.lambda_cyc > 0" },
        { V("loss:\n  lambda_cls: 2\n"), "loss.lambda_cls", 4, "is used only with model.discriminator classifier" },
        { V("loss:\n  adversarial: hinge\n"), "loss.adversarial", 4, "expected one of nonsaturating, wgan_gp, got 'hinge'" },
        { V("loss:\n  adversarial: wgan_gp\n  lambda_gp: -1\n"), "loss.lambda_gp", 5, "expected a number >= 0, got -1" },
        { V("loss:\n  lambda_gp: 5\n"), "loss.lambda_gp", 4, "is used only with loss.adversarial wgan_gp" },
        { V("model:\n  discriminator: multitask\nloss:\n  lambda_cls: 0\n"), "loss.lambda_cls", 6, "is used only with model.discriminator classifier" },
    };

    [Theory]
    [MemberData(nameof(InvalidConfigs))]
    public void Invalid_config_is_reported_with_path_line_and_expectation(string yaml, string keyPath, int line, string wording)
    {
        var e = Fails(yaml);
        Assert.Contains(e.Problems, p => p.KeyPath == keyPath && p.Line == line && p.Message.Contains(wording));
        Assert.All(e.Problems, p => Assert.Equal("test.yaml", p.File));
    }

    [Fact]
    public void Every_problem_is_reported_at_once_one_line_each()
    {
        var e = Fails(V("train:\n  batch_size: eight\n  total_iters: 0\nmodel:\n  img_size: 100\noptim:\n  lrr: 1\n"));
        Assert.Equal(
            [("model.img_size", 7), ("optim.lrr", 9), ("train.batch_size", 4), ("train.total_iters", 5)],
            e.Problems.Select(p => (p.KeyPath, p.Line)).OrderBy(p => p.KeyPath));
        var lines = e.Message.Split('\n');
        Assert.Equal(1 + 4, lines.Length);
        Assert.Contains("test.yaml:4:15: train.batch_size: expected an integer, got 'eight'", e.Message);
        Assert.Contains("test.yaml:9:3: optim.lrr: unknown key 'lrr'; did you mean 'optim.lr'?", e.Message);
    }

    [Fact]
    public void A_value_that_failed_to_parse_is_not_reported_again_by_range_rules()
    {
        var e = Fails("name: t\nmodel:\n  num_domains: three\ndata:\n  source: synthetic\n");
        var p = Assert.Single(e.Problems);
        Assert.Equal("model.num_domains", p.KeyPath);
    }

    [Fact]
    public void Did_you_mean_uses_edit_distance()
    {
        Assert.Equal("lambda_ds", Suggest.Closest("lamda_ds", ["lambda_reg", "lambda_ds", "lambda_cyc"]));
        Assert.Null(Suggest.Closest("completely_else", ["lambda_reg", "lambda_ds"]));
        Assert.Equal(3, Suggest.Distance("kitten", "sitting"));
    }

    [Fact]
    public void A_run_loaded_for_inference_needs_no_training_data_or_FAN_file()
    {
        // What `stargan import` writes for an official CelebA-HQ checkpoint: no data, w_hpf 1, no wing path.
        const string imported = "name: celeba\nmodel: {w_hpf: 1}\ndata: {source: folder, root: ''}\n";
        var problems = Fails(imported).Problems.Select(p => p.KeyPath).Order().ToList();
        Assert.Equal(["data.root", "fan.wing_path"], problems);   // training needs both
        var cfg = ConfigLoader.Parse(imported, "test.yaml", options: new ConfigLoadOptions(Use: ConfigUse.Inference));
        Assert.Equal("", cfg.Data.Root);
    }

    [Fact]
    public void Setting_data_root_on_a_synthetic_config_is_refused_from_the_command_line_too()
    {
        var e = Fails(Valid, ["data.root=/images"]);
        Assert.Contains(e.Problems, p => p.KeyPath == "data.root" && p.Message.Contains("data.source: folder"));
        var cfg = ConfigLoader.Parse(Valid + "model: {num_domains: 2}\n", "test.yaml", ["data.root=/images", "data.source=folder"]);
        Assert.Equal(("folder", "/images"), (cfg.Data.Source, cfg.Data.Root));
    }
}
