using System.Globalization;
using StarGanLab.Config;
using StarGanLab.Networks;

namespace StarGanLab.Runs;

/// <summary>Which tensors of the StarGAN v2 networks belong to one domain, so a fine-tune can change
/// model.num_domains: the mapping network's heads <c>unshared.i</c>, the style encoder's heads <c>unshared.i</c> (with
/// style codes; the latent encoder of Table 1 (D) has one domain-shared head) and the rows of the discriminator's
/// output conv (one per domain, after the real/fake row of the classifier). Everything else, the whole generator
/// included, is shared by all domains. Domains are matched by index: official checkpoints carry no domain names.</summary>
internal static class DomainRule
{
    /// <summary>The domain of a whole-head tensor (<c>unshared.i.…</c> of F, and of E with style codes); null for any other.</summary>
    public static int? HeadOf(string net, string key, ModelConfig model)
    {
        bool perDomain = net == StarGanNets.MappingNetworkName
                         || net == StarGanNets.StyleEncoderName && model.StyleSource == StyleCode.Style;
        if (!perDomain || !key.StartsWith("unshared.", StringComparison.Ordinal)) return null;
        var index = key.Split('.')[1];
        return int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : null;
    }

    /// <summary>For the discriminator's output conv (the last <c>main.N</c> of <paramref name="keys"/>), the number of
    /// leading rows shared by all domains (1 for the classifier's real/fake row, else 0); null for any other tensor.</summary>
    public static int? SharedRowsOf(string net, string key, IEnumerable<string> keys, ModelConfig model)
    {
        if (net != StarGanNets.DiscriminatorName) return null;
        int last = keys.Select(k => k.Split('.')).Where(p => p.Length > 2 && p[0] == "main")
            .Select(p => int.TryParse(p[1], NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : -1).DefaultIfEmpty(-1).Max();
        if (!key.StartsWith($"main.{last}.", StringComparison.Ordinal)) return null;
        return model.Discriminator == DiscriminatorHead.Classifier ? 1 : 0;
    }

    /// <summary>Changing the domain count is defined for domain-specific style codes only: with a one-hot code
    /// (style_source latent or domain, or concat injection) the generator itself has a column per domain.</summary>
    public static string? RefuseDomainChange(ModelConfig source, ModelConfig target) =>
        source.NumDomains == target.NumDomains || target.StyleSource == StyleCode.Style ? null
            : $"model.num_domains {target.NumDomains} differs from the checkpoint's {source.NumDomains}, which is supported for " +
              $"model.style_source style only (this model, {target.Describe()}, feeds a one-hot domain code to the generator)";
}
