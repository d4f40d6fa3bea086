// Marks chosen symbol-version requirements (Vernaux entries in .gnu.version_r) of an ELF64
// shared object as weak (VER_FLG_WEAK), so the dynamic loader accepts a libstdc++ that lacks them.
//
// Why: TorchSharp 0.107's libLibTorchSharp.so was linked against GCC 13 and records a need for
// GLIBCXX_3.4.32 only because of the marker symbol std::ios_base_library_init, which no
// relocation uses. Debian 12 / Ubuntu 22.04 ship libstdc++ up to 3.4.30, so the unpatched
// library fails to load. A weak requirement that is missing is merely ignored by ld.so.
//
// This file is compiled twice: as an inline MSBuild task (build/TorchNatives.targets) and into
// the library (with ELF_PATCHER_NO_TASK) so tests and the runtime loader can check and patch.
using System;
using System.IO;
using System.Text;

namespace StarGanLab.Native
{
    public static class ElfVersionPatcher
    {
        const uint ShtGnuVerneed = 0x6ffffffe;
        const ushort VerFlgWeak = 0x2;

        /// <summary>Outcome per requested version name found in the file.</summary>
        public sealed class Result
        {
            public Result(int patched, int alreadyWeak) { Patched = patched; AlreadyWeak = alreadyWeak; }
            public int Patched { get; }
            public int AlreadyWeak { get; }
        }

        /// <summary>Sets VER_FLG_WEAK on every Vernaux entry whose name is in <paramref name="versions"/>.
        /// Idempotent: entries already weak are counted, not rewritten. Throws InvalidDataException
        /// when the file is not a little-endian ELF64 object.</summary>
        public static Result Weaken(string path, string[] versions, bool dryRun = false)
        {
            byte[] elf = File.ReadAllBytes(path);
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException($"{path}: not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException($"{path}: expected a little-endian ELF64 file");

            ulong shoff = BitConverter.ToUInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            int patched = 0, alreadyWeak = 0;
            for (int i = 0; i < shnum; i++)
            {
                long sh = checked((long)shoff + (long)i * shentsize);
                if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
                long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 24);
                int link = (int)BitConverter.ToUInt32(elf, (int)sh + 40);
                int count = (int)BitConverter.ToUInt32(elf, (int)sh + 44);
                long strtab = (long)BitConverter.ToUInt64(elf, checked((int)((long)shoff + (long)link * shentsize + 24)));

                long vn = offset;
                for (int n = 0; n < count; n++)
                {
                    int auxCount = BitConverter.ToUInt16(elf, (int)vn + 2);
                    long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        string name = ReadCString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                        if (Array.IndexOf(versions, name) >= 0)
                        {
                            ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                            if ((flags & VerFlgWeak) != 0) alreadyWeak++;
                            else
                            {
                                patched++;
                                ushort weak = (ushort)(flags | VerFlgWeak);
                                elf[(int)aux + 4] = (byte)(weak & 0xff);
                                elf[(int)aux + 5] = (byte)(weak >> 8);
                            }
                        }
                        aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                    }
                    vn += BitConverter.ToUInt32(elf, (int)vn + 12);
                }
            }
            if (patched > 0 && !dryRun)
            {
                // The patch rewrites two bytes; stage the whole image first so a failed write leaves the
                // original in place (netstandard2.0 has no atomic File.Move overwrite).
                string tmp = path + ".weakpatch.tmp";
                File.WriteAllBytes(tmp, elf);
                File.Copy(tmp, path, true);
                File.Delete(tmp);
            }
            return new Result(patched, alreadyWeak);
        }

        static string ReadCString(byte[] data, long start)
        {
            int end = (int)start;
            while (end < data.Length && data[end] != 0) end++;
            return Encoding.ASCII.GetString(data, (int)start, end - (int)start);
        }
    }
}

#if !ELF_PATCHER_NO_TASK
public sealed class WeakenElfVersionNeeds : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required] public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();
    [Microsoft.Build.Framework.Required] public string Versions { get; set; } = "";

    public override bool Execute()
    {
        string[] versions = Array.ConvertAll(Versions.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries), v => v.Trim());
        foreach (var item in Files)
        {
            string path = item.ItemSpec;
            if (!File.Exists(path)) continue;
            var result = StarGanLab.Native.ElfVersionPatcher.Weaken(path, versions);
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                $"{path}: weakened {result.Patched} version need(s), {result.AlreadyWeak} already weak");
        }
        return !Log.HasLoggedErrors;
    }
}
#endif
