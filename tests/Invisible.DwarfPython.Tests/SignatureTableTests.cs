using System;
using System.Diagnostics;
using System.IO;
using Invisible.Abi.Dwarf;
using Xunit;

namespace Invisible.DwarfPython.Tests;

/// <summary>libc's signature table (<see cref="SignatureTable"/>): names resolved through libdw are kept per build-id
/// beside the name index; the next process answers them without opening libdw; a table for another version of the
/// file (size, mtime) or a damaged one is ignored, with the same answers from libdw.</summary>
[Collection(ProcessEnvironment.Name)]
public class SignatureTableTests
{
    private const string Libc = "/lib/x86_64-linux-gnu/libc.so.6";
    private static string Binary => Path.Combine(Fixture.RepoRoot, "build", "bin", "invisible");

    private const string Script =
        "import c\n" +
        "print(c.strlen('hello'), c.strtol('42', None, 10), c.abs(-3))\n" +
        "s = c.struct.stat()\n" +
        "print(c.stat('/', s), s.st_mode & 0o170000 == 0o040000, c.struct.stat, c.struct.timespec)\n" +
        "print(c.optind, c.size_t, c.PTHREAD_CREATE_DETACHED)\n" +
        "try:\n    c.strlen(1)\nexcept TypeError as e:\n    print(e)\n";

    private static (string Stdout, string Stderr, int Exit) Run(string cache)
    {
        var psi = new ProcessStartInfo(Binary) { WorkingDirectory = Path.GetTempPath(), RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("python");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Script);
        psi.Environment["XDG_CACHE_HOME"] = cache;
        psi.Environment["INVISIBLE_DWARF_LOG"] = "1";
        using var p = Process.Start(psi)!;
        var so = p.StandardOutput.ReadToEndAsync();
        var se = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (so.Result, se.Result, p.ExitCode);
    }

    [Needs(Libc, "/usr/bin/objcopy")]
    public void AWarmImportAnswersFromTheTableWithoutLibdw()
    {
        Assert.True(File.Exists(Binary), "NativeAOT binary missing: " + Binary + " (run scripts/build)");
        string cache = Path.Combine(Path.GetTempPath(), "invisible-sig-" + Guid.NewGuid().ToString("N"));
        try
        {
            var cold = Run(cache);
            Assert.True(cold.Exit == 0, cold.Stderr);
            Assert.Contains("/libc.so.6: libdw opened", cold.Stderr, StringComparison.Ordinal);
            string[] tables = Directory.GetFiles(Path.Combine(cache, "invisible", "dwarf-index"), "*.sig");
            Assert.Single(tables);
            string expected = "5 42 3\n0 True <native type 'struct stat'> <native type 'struct timespec'>\n1 <native type 'size_t'> 1\n"
                + "argument 1: expected const char *, got int (to pass an address, wrap it: process.pointer(addr, \"const char *\"))\n";
            Assert.Equal(expected, cold.Stdout);

            var warm = Run(cache);
            Assert.True(warm.Exit == 0, warm.Stderr);
            Assert.Equal(expected, warm.Stdout);
            Assert.Contains(".sig: signature table read, ", warm.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("libc.so.6: libdw opened", warm.Stderr, StringComparison.Ordinal);

            // a damaged table: ignored, the answers come from libdw, and the table is written again
            File.WriteAllBytes(tables[0], new byte[] { 0x49, 0x4e, 0x56, 0x53, 0x49, 0x47, 0x30, 0x31, 0xff, 0xff, 0xff, 0xff, 7 });
            var damaged = Run(cache);
            Assert.True(damaged.Exit == 0, damaged.Stderr);
            Assert.Equal(expected, damaged.Stdout);
            Assert.Contains(".sig: signature table ignored", damaged.Stderr, StringComparison.Ordinal);
            Assert.Contains("/libc.so.6: libdw opened", damaged.Stderr, StringComparison.Ordinal);
            var again = Run(cache);
            Assert.Equal(expected, again.Stdout);
            Assert.DoesNotContain("libc.so.6: libdw opened", again.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            try { Directory.Delete(cache, true); } catch (IOException) { }
        }
    }

    /// <summary>The table is keyed by build-id and checked against the file's path, size and mtime: a copy of libc
    /// (same build-id, another path) has a table of its own, which is dropped when the copy's mtime changes; a
    /// truncated or random file is ignored without an exception.</summary>
    [Needs(Libc, "/usr/bin/objcopy")]
    public void TheTableIsDroppedWhenTheLibraryChangesOrTheFileIsDamaged()
    {
        string cache = Path.Combine(Path.GetTempPath(), "invisible-sig-" + Guid.NewGuid().ToString("N"));
        string? old = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", cache);
        try
        {
            Directory.CreateDirectory(cache);
            string copy = Path.Combine(cache, "libc.so.6");
            File.Copy(Libc, copy);
            string strtol, stat, file;
            using (DwarfModule a = DwarfModule.Open(copy))
            {
                Assert.True(a.HasDwarf, "needs libc6-dbg (scripts/build installs it)");
                Assert.Null(a.Signatures);
                SignatureTable t = a.SignaturesToFill()!;
                Function f = a.FindFunction("strtol")!;
                strtol = f.Type.ToCString();
                var st = (StructType)a.FindType("struct stat")!;
                stat = st.Describe();
                Assert.True(t.AddFunction("strtol", new TableFunction(1234, f.Type, "strtol", new string?[] { "nptr", "endptr", "base" })));
                Assert.True(t.AddType("struct stat", st));
                Assert.True(t.AddEnumerator("PTHREAD_CREATE_DETACHED", 1));
                file = t.FilePath;
                Assert.Equal(Path.Combine(cache, "invisible", "dwarf-index", a.BuildId + ".sig"), file);
            }
            byte[] good = File.ReadAllBytes(file);
            using (DwarfModule b = DwarfModule.Open(copy))
            {
                SignatureTable t = b.Signatures!;
                Assert.True(t.FromCache);
                Assert.Equal(3, t.Count);
                Assert.True(t.TryGetFunction("strtol", out TableFunction f));
                Assert.Equal(1234, f.Offset);
                Assert.Equal(strtol, f.Type!.ToCString());
                Assert.Equal(new string?[] { "nptr", "endptr", "base" }, f.ParameterNames);
                Assert.Equal(stat, ((StructType)t.Type("struct stat")!).Describe());
                Assert.True(t.TryGetEnumerator("PTHREAD_CREATE_DETACHED", out long v) && v == 1);
                Assert.Same(t.Type("struct stat"), b.FindType("struct stat")); // one object per DIE, whoever made it
            }
            for (int cut = 1; cut < good.Length; cut += Math.Max(1, good.Length / 97))
            {
                File.WriteAllBytes(file, good.AsSpan(0, cut).ToArray());
                using DwarfModule c = DwarfModule.Open(copy);
                Assert.Null(c.Signatures);
            }
            var random = new Random(15);
            for (int i = 0; i < 20; i++)
            {
                byte[] junk = (byte[])good.Clone();
                for (int k = 0; k < 8; k++) junk[random.Next(16, junk.Length)] = (byte)random.Next(256);
                File.WriteAllBytes(file, junk);
                using DwarfModule c = DwarfModule.Open(copy);
                Assert.Null(c.Signatures); // the checksum catches it
            }
            File.WriteAllBytes(file, good);
            using (DwarfModule d = DwarfModule.Open(copy)) Assert.NotNull(d.Signatures);
            File.SetLastWriteTimeUtc(copy, File.GetLastWriteTimeUtc(copy).AddSeconds(-10));
            using (DwarfModule e = DwarfModule.Open(copy)) Assert.Null(e.Signatures);
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", old);
            try { Directory.Delete(cache, true); } catch (IOException) { }
        }
    }
}
