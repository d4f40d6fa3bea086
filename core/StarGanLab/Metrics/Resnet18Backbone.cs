using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Metrics;

/// <summary>The offline backbone: the ImageNet-trained ResNet18 that the NuGet package
/// Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 ships as ONNX (a CNTK export), run with ONNX Runtime. Features are
/// its 512-d global-average-pool output. Inputs go through the package's own ResNetPreprocess.onnx as ML.NET's
/// featurizer does: 224x224 RGB values 0..255 (ML.NET ExtractPixels defaults), reordered to BGR minus a per-pixel
/// ImageNet mean image (Caffe-style, no scaling). Numbers computed with it are named fid_resnet18 / lpips_resnet18:
/// they are not FID or LPIPS and are not comparable with published values.</summary>
public sealed class Resnet18Backbone : IFeatureBackbone
{
    public const string PackageFolder = "DnnImageModels";
    public const int InputSize = 224;
    const string PrepInput = "OriginalInput", PrepOutput = "PreprocessedInput";
    const string NetInput = "Input247", NetOutput = "Pooling395_Output_0";

    readonly InferenceSession prep, net;

    public string Name => "resnet18";
    public string Identity { get; }
    public string ModelPath { get; }

    /// <param name="threads">ONNX Runtime intra-op threads; 0 lets it choose.</param>
    public Resnet18Backbone(int threads = 0, string? modelDir = null)
    {
        (ModelPath, string prepPath) = CheckModels(modelDir ?? LocateModels());
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        // Idle worker threads sleep instead of spinning: the evaluation alternates ONNX Runtime with libtorch (the
        // generator), and spinning threads would take the cores the other one needs.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        prep = new InferenceSession(prepPath, options);
        net = new InferenceSession(ModelPath, options);
        Identity = $"resnet18-onnx:{new FileInfo(ModelPath).Length}:{HashOf(ModelPath)}";
    }

    /// <summary>The network and preprocessing graphs in <paramref name="modelDir"/>; an error naming the file that is missing.</summary>
    public static (string Model, string Prep) CheckModels(string modelDir)
    {
        string model = Path.Combine(modelDir, "ResNet18Onnx", "ResNet18.onnx");
        string prep = Path.Combine(modelDir, "ResNetPrepOnnx", "ResNetPreprocess.onnx");
        foreach (var f in new[] { model, prep })
            if (!File.Exists(f)) throw new FileNotFoundException($"{f}: the ResNet18 ONNX model of Microsoft.ML.DnnImageFeaturizer.ResNet18 is missing (rebuild or republish StarGanLab; the package copies it next to the library)", f);
        return (model, prep);
    }

    /// <summary>The folder the package's build props copy the models to: next to StarGanLab.dll (build, publish,
    /// notebooks referencing the published library) or next to the entry program.</summary>
    public static string LocateModels()
    {
        var candidates = new[] { Path.GetDirectoryName(typeof(Resnet18Backbone).Assembly.Location), AppContext.BaseDirectory }
            .Where(d => !string.IsNullOrEmpty(d)).Select(d => Path.Combine(d!, PackageFolder)).Distinct().ToList();
        return candidates.FirstOrDefault(Directory.Exists)
            ?? throw new DirectoryNotFoundException($"the ResNet18 ONNX models were not found in {string.Join(" or ", candidates)} (they come with the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18, copied at build and publish)");
    }

    public Tensor Features(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = EvalPixels.Resize(images.to(ScalarType.Float32, CPU), InputSize).contiguous();
        int n = (int)x.size(0);
        var output = new float[n * 512];
        int per = 3 * InputSize * InputSize;
        var all = x.data<float>().ToArray();
        // The exported graphs have a fixed batch dimension of 1.
        for (int i = 0; i < n; i++)
        {
            var input = new DenseTensor(all.AsMemory(i * per, per), [1, 3, InputSize, InputSize]);
            using var pre = prep.Run([NamedOnnxValue.CreateFromTensor(PrepInput, input)]);
            var prepared = pre.First(v => v.Name == PrepOutput).AsTensor<float>();
            using var res = net.Run([NamedOnnxValue.CreateFromTensor(NetInput, prepared)]);
            var pooled = res.First(v => v.Name == NetOutput).AsEnumerable<float>().ToArray();
            if (pooled.Length != 512) throw new InvalidDataException($"{ModelPath}: expected 512 pool features, got {pooled.Length}");
            pooled.CopyTo(output, i * 512);
        }
        return torch.tensor(output, [n, 512]).MoveToOuterDisposeScope();
    }

    static string HashOf(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(fs))[..16];
    }

    public void Dispose() { prep.Dispose(); net.Dispose(); }
}
