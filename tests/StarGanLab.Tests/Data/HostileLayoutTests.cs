using System.Net.Sockets;
using SkiaSharp;
using StarGanLab.Data;
using StarGanLab.Tests.Reliability;
using Xunit;

namespace StarGanLab.Tests.Data;

/// <summary>Data folders that a careless or hostile user can make (issue 17, cases 1 and 2): entries that are not
/// regular files are skipped with the scan's warning, saying what they are; links that make a domain loop back to
/// the root or alias another domain are refused, naming both folders. Nothing may hang.</summary>
public sealed class HostileLayoutTests : IDisposable
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    readonly string root = TestImages.TempDir();

    public void Dispose() => Directory.Delete(root, true);

    string Domain(string name, int images)
    {
        string dir = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
        for (int i = 0; i < images; i++)
            File.WriteAllBytes(Path.Combine(dir, $"img{i}.png"), TestImages.SolidPng(8, 8, new SKColor(10, 20, (byte)i)));
        return dir;
    }

    /// <summary>The scan, given <see cref="Patience"/>: a scan that blocks fails the test instead of hanging the suite.</summary>
    static T Within<T>(Func<T> scan, Action unblock)
    {
        var task = Task.Run(scan);
        if (!task.Wait(Patience))
        {
            unblock();
            Assert.Fail($"the scan did not finish within {Patience.TotalSeconds} s (it blocked on a file)");
        }
        return task.Result;
    }

    [Fact]
    public void Fifos_sockets_devices_dangling_links_and_folders_named_png_are_skipped_with_a_warning_saying_what_they_are()
    {
        string cat = Domain("cat", 2);
        Domain("dog", 1);
        string fifo = Path.Combine(cat, "fifo.png");
        var (code, output) = DiskFullTests.Sh("mkfifo", fifo);
        Assert.True(code == 0, output);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(cat, "socket.png")));
        File.CreateSymbolicLink(Path.Combine(cat, "zero.png"), "/dev/zero");
        File.CreateSymbolicLink(Path.Combine(cat, "dangling.png"), Path.Combine(root, "gone.png"));
        Directory.CreateDirectory(Path.Combine(cat, "folder.png"));
        Directory.CreateSymbolicLink(Path.Combine(cat, "linked-folder.png"), Path.Combine(cat, "folder.png"));

        var warnings = new List<string>();
        var ds = Within(() => new ImageFolderDataset(root, warn: warnings.Add), () => File.WriteAllBytes(fifo, []));

        Assert.Equal(2, ds.Count(0));
        string warning = Assert.Single(warnings);
        Assert.StartsWith($"skipped 4 unreadable image file(s) under '{root}'", warning);
        Assert.Contains("fifo.png: not a regular file: a FIFO (named pipe)", warning);
        Assert.Contains("socket.png: not a regular file: a socket", warning);
        Assert.Contains("zero.png: not a regular file: a character device", warning);
        Assert.Contains("dangling.png: not a regular file: a dangling symbolic link", warning);
    }

    [Fact]
    public void A_fifo_that_replaces_an_image_after_the_scan_is_skipped_during_training_without_blocking()
    {
        string cat = Domain("cat", 2);
        Domain("dog", 1);
        var warnings = new List<string>();
        var ds = new ImageFolderDataset(root, warn: warnings.Add);
        string first = ds.Files(0)[0];
        File.Delete(first);
        var (code, output) = DiskFullTests.Sh("mkfifo", first);
        Assert.True(code == 0, output);

        using var bitmap = Within(() => ds.Load(0, 0), () => File.WriteAllBytes(first, []));
        Assert.Equal(8, bitmap.Width);
        Assert.Contains(first, ds.Lost.Keys);
        Assert.Contains("a FIFO", ds.Lost[first]);
    }

    [Fact]
    public void A_domain_that_links_back_to_the_data_root_is_refused_as_a_cycle()
    {
        Domain("cat", 1);
        Domain("dog", 1);
        string loop = Path.Combine(root, "loop");
        Directory.CreateSymbolicLink(loop, root);
        var e = Assert.Throws<DataException>(() => new ImageFolderDataset(root));
        Assert.Contains($"domain folder '{loop}'", e.Message);
        Assert.Contains($"links back to the data root '{root}'", e.Message);
    }

    [Fact]
    public void Two_domains_that_resolve_to_the_same_folder_are_refused_naming_both()
    {
        string cat = Domain("cat", 1);
        Domain("dog", 1);
        string alias = Path.Combine(root, "kitten");
        Directory.CreateSymbolicLink(alias, cat);
        var e = Assert.Throws<DataException>(() => new ImageFolderDataset(root));
        Assert.Contains($"domain folders '{cat}' and '{alias}' are the same folder", e.Message);
    }

    [Fact]
    public void A_domain_inside_another_domain_through_a_link_is_refused()
    {
        string cat = Domain("cat", 1);
        string inner = Domain(Path.Combine("cat", "inner"), 1);
        Domain("dog", 1);
        string alias = Path.Combine(root, "zzz");
        Directory.CreateSymbolicLink(alias, inner);
        var e = Assert.Throws<DataException>(() => new ImageFolderDataset(root));
        Assert.Contains($"domain folder '{alias}' lies inside domain folder '{cat}'", e.Message);
    }

    [Fact]
    public void A_file_linked_into_two_domains_is_refused_naming_both_paths()
    {
        string cat = Domain("cat", 2);
        string dog = Domain("dog", 1);
        string link = Path.Combine(dog, "copy.png");
        File.CreateSymbolicLink(link, Path.Combine(cat, "img0.png"));
        var e = Assert.Throws<DataException>(() => new ImageFolderDataset(root));
        Assert.Contains($"'{Path.Combine(cat, "img0.png")}' and '{link}' are the same file", e.Message);
    }
}
