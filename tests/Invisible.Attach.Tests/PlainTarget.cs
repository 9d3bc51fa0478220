using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace Invisible.Attach.Tests;

/// <summary>tests/fixtures/plain_target.c started WITHOUT invisible (no LD_PRELOAD): `invisible attach PID` must
/// inject libinvisible.so. Its stdout is kept whole so a test can compare it exactly at the end.</summary>
public sealed class PlainTarget : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly Task<string> _stderrTask;

    public int Pid => _process.Id;
    public string Path { get; }

    /// <param name="preloaded">started with libinvisible.so preloaded (as by `invisible run`, no leak check) instead:
    /// the same program, for the tests that compare both ways in.</param>
    public PlainTarget(string opt, string mode, bool preloaded = false)
        : this("plain_target-" + opt, new[] { mode }, preloaded
            ? new Dictionary<string, string> { ["LD_PRELOAD"] = AttachTarget.Library, ["INVISIBLE_LEAK_CHECK"] = "no" }
            : null)
    {
    }

    /// <summary>Another fixture of build/tests/fixtures/ that speaks the same line protocol ("ready", one answer line
    /// per command, exit status 7 at the end of input), e.g. heap_before.c.</summary>
    public PlainTarget(string fixture, string[] args, Dictionary<string, string>? env)
    {
        Path = System.IO.Path.Combine(AttachTarget.Root, "build", "tests", "fixtures", fixture);
        _process = Process.Start(AttachTarget.StartInfo(Path, args, env))!;
        _stderrTask = _process.StandardError.ReadToEndAsync();
        Assert.Equal("ready", ReadLine());
    }

    public string? ReadLine()
    {
        string? line = _process.StandardOutput.ReadLine();
        if (line is not null) _stdout.Append(line).Append('\n');
        return line;
    }

    /// <summary>Sends a command line and returns the program's answer line.</summary>
    public string? Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
        return ReadLine();
    }

    /// <summary>End of input: returns the rest of stdout, the whole stdout, after checking the exit status (7, the
    /// program's own) and an empty stderr.</summary>
    public string Finish()
    {
        _process.StandardInput.Close();
        _stdout.Append(_process.StandardOutput.ReadToEnd());
        Assert.True(_process.WaitForExit(30_000), "the target did not exit");
        Assert.Equal(7, _process.ExitCode);
        Assert.Equal("", _stderrTask.Result);
        return _stdout.ToString();
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }

    public (int ExitCode, string Stdout, string Stderr) Attach(params string[] args)
    {
        var all = new List<string> { "attach", Pid.ToString(CultureInfo.InvariantCulture) };
        all.AddRange(args);
        return AttachTarget.Run(AttachTarget.Cli, all);
    }

    /// <summary>Start address of the first mapping of <paramref name="fileName"/> (file offset 0, not writable: libdw maps
    /// a file it reads privately and writable at offset 0, and that copy is not the loaded object), 0 if none.</summary>
    public ulong MappedAt(string fileName)
    {
        foreach (string line in File.ReadAllLines("/proc/" + Pid + "/maps"))
        {
            string[] f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 6 || !f[5].Trim().EndsWith("/" + fileName, StringComparison.Ordinal) || f[2] != "00000000" || f[1][1] == 'w') continue;
            return ulong.Parse(f[0].AsSpan(0, f[0].IndexOf('-')), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
        return 0;
    }

    /// <summary>The run-time addresses of the executable's GOT slots for <paramref name="symbol"/> (JUMP_SLOT and
    /// GLOB_DAT relocations, from `readelf -rW`).</summary>
    public List<ulong> GotSlots(string symbol, string? objectPath = null)
    {
        objectPath ??= Path;
        var r = AttachTarget.Run("readelf", new[] { "-rW", objectPath });
        Assert.Equal(0, r.ExitCode);
        ulong bias = MappedAt(System.IO.Path.GetFileName(objectPath));
        var slots = new List<ulong>();
        foreach (string line in r.Stdout.Split('\n'))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 5 || !(f[2] == "R_X86_64_JUMP_SLOT" || f[2] == "R_X86_64_GLOB_DAT")) continue;
            if (f[4] != symbol && !f[4].StartsWith(symbol + "@", StringComparison.Ordinal)) continue;
            slots.Add(bias + ulong.Parse(f[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }
        return slots;
    }

    /// <summary>The target's descriptors, by number.</summary>
    public List<int> Descriptors()
    {
        var fds = new List<int>();
        foreach (string link in Directory.GetFileSystemEntries("/proc/" + Pid + "/fd"))
            fds.Add(int.Parse(System.IO.Path.GetFileName(link), CultureInfo.InvariantCulture));
        fds.Sort();
        return fds;
    }

    /// <summary>The target's descriptors that are sockets, by number.</summary>
    public List<int> Sockets()
    {
        var sockets = new List<int>();
        foreach (string link in Directory.GetFileSystemEntries("/proc/" + Pid + "/fd"))
        {
            string? target = null;
            try { target = new FileInfo(link).LinkTarget; }
            catch (IOException) { }
            if (target is not null && target.StartsWith("socket:", StringComparison.Ordinal))
                sockets.Add(int.Parse(System.IO.Path.GetFileName(link), CultureInfo.InvariantCulture));
        }
        sockets.Sort();
        return sockets;
    }

    /// <summary>The tracer of the target's main thread (TracerPid in /proc/PID/status), 0 when none.</summary>
    public int TracerPid()
    {
        try
        {
            foreach (string l in File.ReadLines("/proc/" + Pid + "/status"))
                if (l.StartsWith("TracerPid:", StringComparison.Ordinal))
                    return int.Parse(l.AsSpan(10).Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        return 0;
    }

    /// <summary>One 8-byte word of the target's memory, read through /proc/PID/mem.</summary>
    public ulong ReadWord(ulong address)
    {
        using var mem = new FileStream("/proc/" + Pid + "/mem", FileMode.Open, FileAccess.Read);
        mem.Seek((long)address, SeekOrigin.Begin);
        byte[] b = new byte[8];
        Assert.Equal(8, mem.Read(b, 0, 8));
        return BitConverter.ToUInt64(b);
    }

    /// <summary>Is <paramref name="address"/> inside a mapping of <paramref name="fileName"/>?</summary>
    public bool InMappingOf(ulong address, string fileName)
    {
        foreach (string line in File.ReadAllLines("/proc/" + Pid + "/maps"))
        {
            string[] f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 6 || !f[5].Trim().EndsWith("/" + fileName, StringComparison.Ordinal)) continue;
            int dash = f[0].IndexOf('-');
            ulong start = ulong.Parse(f[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong end = ulong.Parse(f[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (address >= start && address < end) return true;
        }
        return false;
    }
}
