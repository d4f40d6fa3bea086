using StarGanLab.Native;

namespace StarGanLab.Data;

/// <summary>Refuses an ImageFolder layout whose links make one image count twice: a domain folder that leads back to
/// the data root (or above it), two domain folders that are one folder, a domain inside another (when sub-folders
/// are scanned), and one file listed in two domains. A domain may still link to a folder outside the root.</summary>
internal sealed class DomainLayout
{
    readonly string[] domainDirs;
    readonly string[] realDirs;
    readonly Dictionary<string, (int Domain, string Path)> owners = new(StringComparer.Ordinal);

    public DomainLayout(string root, string[] domainDirs, bool recursive)
    {
        this.domainDirs = domainDirs;
        string realRoot = RealPath.Of(root) ?? root;
        realDirs = domainDirs.Select(d => RealPath.Of(d)
            ?? throw new DataException($"domain folder '{d}' cannot be resolved (a dangling or looping link)")).ToArray();
        for (int i = 0; i < realDirs.Length; i++)
        {
            if (RealPath.IsInside(realRoot, realDirs[i]))
                throw new DataException($"domain folder '{domainDirs[i]}' links back to the data root '{root}' (it resolves to " +
                                        $"'{realDirs[i]}'), which would make a cycle; remove the link");
            for (int j = 0; j < i; j++)
            {
                if (realDirs[i] == realDirs[j])
                    throw new DataException($"domain folders '{domainDirs[j]}' and '{domainDirs[i]}' are the same folder " +
                                            $"('{realDirs[i]}'): its images would count for two domains; remove one of them");
                if (recursive && (RealPath.IsInside(realDirs[i], realDirs[j]) || RealPath.IsInside(realDirs[j], realDirs[i])))
                {
                    var (inner, outer) = RealPath.IsInside(realDirs[i], realDirs[j]) ? (i, j) : (j, i);
                    throw new DataException($"domain folder '{domainDirs[inner]}' lies inside domain folder '{domainDirs[outer]}' " +
                                            $"('{realDirs[inner]}'), so its images would count for both; remove the link");
                }
            }
        }
    }

    /// <summary>Records that <paramref name="path"/> (found under domain <paramref name="domain"/>) belongs to it; a file
    /// another domain already has is an error naming both paths.</summary>
    public void Claim(int domain, string path, bool isLink)
    {
        // Only a linked file can be another domain's file: the folders themselves were checked above.
        string real = isLink ? RealPath.Of(path) ?? path : Path.Join(realDirs[domain], Path.GetRelativePath(domainDirs[domain], path));
        if (owners.TryGetValue(real, out var owner) && owner.Domain != domain)
            throw new DataException($"'{owner.Path}' and '{path}' are the same file ('{real}') in two domains; " +
                                    "an image may belong to one domain only");
        owners.TryAdd(real, (domain, path));
    }
}
