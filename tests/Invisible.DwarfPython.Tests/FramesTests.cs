using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.DwarfPython.Tests;

/// <summary><c>process.threads</c> locals of outer frames, whose registers are recovered through the CFI
/// (abi/Invisible.Abi/Unwinding/CfiRegisters.cs). Fixture: tests/fixtures/frames_regs.c, parked in
/// main → level1 → level2 → level3 → park → read; at -O2 the outer frames' locals live in rbx, rbp and r12,
/// at -O0 in their frames. The session is <c>invisible attach PID</c> into the running, preloaded fixture; the values
/// are checked against what the fixture printed and against <c>gdb -batch -p PID</c>'s <c>info locals</c>.</summary>
public class FramesTests
{
    private static string Root => Fixture.RepoRoot;
    private static string Cli => Path.Combine(Root, "build", "bin", "invisible");

    private const string Query =
        "import process\n" +
        "main = [t for t in process.threads if t.tid == process.pid][0]\n" +
        "for f in main.frames:\n" +
        "    if f.function in ('park', 'level3', 'level2', 'level1', 'main'):\n" +
        "        print(f.function + '\\t' + '\\t'.join(k + '=' + str(v) for k, v in sorted(f.locals.items())))\n";

    /// <summary>The fixture, preloaded, parked until its stdin closes.</summary>
    private sealed class Parked : IDisposable
    {
        private readonly Process _p;
        public long[] Values { get; }   // alpha beta beta2 beta3 gamma delta
        public int Pid => _p.Id;

        public Parked(string opt, long seed)
        {
            var psi = new ProcessStartInfo(Path.Combine(Root, "build", "tests", "fixtures", "frames_regs-" + opt))
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            psi.ArgumentList.Add(seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
            psi.Environment["LD_PRELOAD"] = Path.Combine(Root, "build", "lib", "libinvisible.so");
            psi.Environment["INVISIBLE_LEAK_CHECK"] = "no";
            Assert.True(File.Exists(psi.FileName), "fixture missing: " + psi.FileName + " (run scripts/build)");
            _p = Process.Start(psi)!;
            string? ready = _p.StandardOutput.ReadLine();
            Assert.NotNull(ready);
            string[] parts = ready!.Split(' ');
            Assert.Equal("ready", parts[0]);
            Values = Array.ConvertAll(parts[1..], long.Parse);
            // The main thread must be inside read() before we look at it.
            for (int i = 0; i < 200 && !InRead(); i++) System.Threading.Thread.Sleep(10);
        }

        private bool InRead()
        {
            try { return File.ReadAllText("/proc/" + Pid + "/wchan") is "pipe_read" or "anon_pipe_read"; }
            catch (IOException) { return false; }
        }

        /// <summary>Close stdin: the fixture unwinds, prints "done R" and exits 0 (nothing we did harmed it).</summary>
        public void Finish()
        {
            _p.StandardInput.Close();
            string rest = _p.StandardOutput.ReadToEnd();
            Assert.True(_p.WaitForExit(30_000));
            Assert.Equal(0, _p.ExitCode);
            Assert.StartsWith("done ", rest);
        }

        public void Dispose()
        {
            if (!_p.HasExited) _p.Kill();
            _p.Dispose();
        }
    }

    private static Dictionary<string, string> Ours(int pid)
    {
        var r = Fixture.Run(Cli, new[] { "attach", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", Query }, Path.GetTempPath());
        Assert.True(r.Exit == 0, r.Stderr + r.Stdout);
        return Parse(r.Stdout);
    }

    /// <summary>"function\tk=v\tk=v" lines → "function.k" → v.</summary>
    private static Dictionary<string, string> Parse(string text)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] words = line.Split('\t');
            for (int i = 1; i < words.Length; i++)
            {
                int eq = words[i].IndexOf('=');
                d[words[0] + "." + words[i][..eq]] = words[i][(eq + 1)..];
            }
        }
        return d;
    }

    [Theory]
    [InlineData("O2")]
    [InlineData("O0")]
    public void OuterFramesShowTheLocalsTheFixtureHolds(string opt)
    {
        using var fx = new Parked(opt, 5);
        Dictionary<string, string> ours = Ours(fx.Pid);
        long[] v = fx.Values;
        string V(int i) => v[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Callee-saved registers at -O2 (level3: rbx, rbp saved by nobody below it — same value as in read's frame;
        // level2: rbx, rbp, r12 saved by level3 and park; level1: rbx, rbp saved by level2); frame slots at -O0.
        var expected = new List<(string, string)>
        {
            ("level3.gamma", V(4)), ("level3.delta", V(5)), ("park.token", V(4)),
            ("level2.beta", V(1)), ("level2.beta2", V(2)),
            ("level1.alpha", V(0)), ("level1.seed", "5"), ("main.seed", "5"),
        };
        // seed of level2/level3 at -O2: rdi was clobbered; DW_OP_entry_value(rdi), resolved through the callers'
        // call-site parameters (level1 passes rbx + 1, level2 passes its own entry value + 1).
        expected.AddRange(new[] { ("level2.seed", "6"), ("level3.seed", "7") });
        if (opt == "O0")
            expected.AddRange(new[] { ("level2.beta3", V(3)), ("main.argc", "2") });
        else // values no location describes after the call (gdb says the same)
            expected.AddRange(new[] { ("level2.beta3", "<optimized out>"), ("level3.r", "<optimized out>"), ("main.argc", "<optimized out>") });
        var missing = new StringBuilder();
        foreach (var (key, value) in expected)
            if (!ours.TryGetValue(key, out string? got) || got != value)
                missing.Append(key).Append(": expected ").Append(value).Append(", got ").Append(got ?? "(none)").Append('\n');
        Assert.True(missing.Length == 0, missing.ToString() + "\nall: " + string.Join(" ", ours));
        fx.Finish();
    }

    /// <summary>The same frames through gdb: every local and argument gdb prints has our value (entry values
    /// included: gdb's <c>seed=seed@entry=12</c> at -O2).</summary>
    [ToolTheory("/usr/bin/gdb")]
    [InlineData("O2")]
    [InlineData("O0")]
    public void OuterFrameLocalsAgreeWithGdb(string opt)
    {
        using var fx = new Parked(opt, 11);
        Dictionary<string, string> ours = Ours(fx.Pid);
        var args = new List<string> { "-batch", "-nx", "-p", fx.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-ex", "thread 1" };
        foreach (string f in new[] { "park", "level3", "level2", "level1", "main" })
            args.AddRange(new[] { "-ex", "frame function " + f, "-ex", "echo ==" + f + "\\n", "-ex", "info locals", "-ex", "info args" });
        var g = Fixture.Run("/usr/bin/gdb", args.ToArray(), Path.GetTempPath());
        var gdb = new Dictionary<string, string>(StringComparer.Ordinal);
        string? function = null;
        foreach (string line in g.Stdout.Split('\n'))
        {
            if (line.StartsWith("==", StringComparison.Ordinal)) { function = line[2..]; continue; }
            int eq = line.IndexOf(" = ", StringComparison.Ordinal);
            if (function is null || eq <= 0 || line.Contains(' ', StringComparison.Ordinal) && line.IndexOf(' ') < eq) continue;
            gdb[function + "." + line[..eq]] = line[(eq + 3)..];
        }
        Assert.True(gdb.Count >= 14, "gdb printed too little:\n" + g.Stdout + g.Stderr);
        var differ = new StringBuilder();
        int compared = 0;
        foreach (var (key, gv) in gdb)
        {
            Assert.True(ours.ContainsKey(key), key + " missing from ours: " + string.Join(" ", ours));
            string mine = ours[key];
            // gdb: "0 '\000'" for a char, "0x7ffd..." for a pointer; ours: "0", "(char **) 0x7ffd...".
            string gdbValue = gv.Split(' ')[0];
            string ourValue = mine.StartsWith("(", StringComparison.Ordinal) ? mine[(mine.IndexOf(") ", StringComparison.Ordinal) + 2)..] : mine;
            if (gv == "<optimized out>") gdbValue = gv;
            compared++;
            if (gdbValue != ourValue) differ.Append(key).Append(": gdb ").Append(gv).Append(", ours ").Append(mine).Append('\n');
        }
        Assert.True(differ.Length == 0, differ.ToString());
        Assert.True(compared >= 14, "compared " + compared);
        fx.Finish();
    }
}
