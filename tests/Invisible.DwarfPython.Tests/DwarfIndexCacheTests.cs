using System;
using System.IO;
using Invisible.Abi.Dwarf;
using Xunit;

namespace Invisible.DwarfPython.Tests;

/// <summary>libc's DWARF (libc6-dbg: a separate debug file with compressed sections) indexed once per build-id: the
/// first open walks every unit, writes the index and an uncompressed copy of the debug file; the next open finds
/// the copy first and reads the index from its file; a damaged index file is ignored and rewritten.</summary>
[Collection(ProcessEnvironment.Name)]
public class DwarfIndexCacheTests
{
    private const string Libc = "/lib/x86_64-linux-gnu/libc.so.6";

    [Needs(Libc, "/usr/bin/objcopy")]
    public void LibcsIndexIsBuiltOnceThenReadFromTheCache()
    {
        string cache = Path.Combine(Path.GetTempPath(), "invisible-idx-" + Guid.NewGuid().ToString("N"));
        string? old = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", cache);
        try
        {
            string want, first;
            int entries;
            string index;
            using (DwarfModule a = DwarfModule.Open(Libc))
            {
                Assert.True(a.HasDwarf && a.DebugFile != null, "needs libc6-dbg (scripts/build installs it)");
                Assert.False(a.Index.FromCache);
                entries = a.Index.EntryCount;
                Assert.True(entries > 10000, entries.ToString());
                want = a.FindFunction("strtol")!.Type.ToCString();
                first = a.DebugFile!;
                index = Path.Combine(cache, "invisible", "dwarf-index", a.BuildId + ".idx");
                Assert.True(File.Exists(index));
            }
            Assert.StartsWith("long int(const char *", want, StringComparison.Ordinal);
            using (DwarfModule b = DwarfModule.Open(Libc))
            {
                if (DebugFileCache.HasCompressedSections(first))
                    Assert.StartsWith(Path.Combine(cache, "invisible", "debug", ".build-id") + "/", b.DebugFile, StringComparison.Ordinal);
                Assert.True(b.Index.FromCache);
                Assert.Equal(entries, b.Index.EntryCount);
                Assert.Equal(want, b.FindFunction("strtol")!.Type.ToCString());
                Assert.Equal(144, b.FindType("struct stat")!.Size);
            }
            File.WriteAllBytes(index, new byte[] { 1, 2, 3 });
            using (DwarfModule c = DwarfModule.Open(Libc))
            {
                Assert.False(c.Index.FromCache);
                Assert.Equal(want, c.FindFunction("strtol")!.Type.ToCString());
            }
            using (DwarfModule d = DwarfModule.Open(Libc))
                Assert.True(d.Index.FromCache); // rewritten by the open before
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", old);
            try { Directory.Delete(cache, true); } catch (IOException) { }
        }
    }
}

/// <summary>Tests that set this process's environment (XDG_CACHE_HOME) for in-process interpreters run one at a
/// time: xunit runs test classes in parallel, and a second class's value would leak into the first one's run.</summary>
[CollectionDefinition(Name)]
public sealed class ProcessEnvironment
{
    public const string Name = "process environment";
}
