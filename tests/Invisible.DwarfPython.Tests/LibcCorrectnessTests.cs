using System;
using Xunit;

namespace Invisible.DwarfPython.Tests;

/// <summary>libc as a user meets it first: functions the assembler describes, IFUNCs resolved into the vDSO, array
/// bounds in one-byte forms, errno after a call. Oracles: the kernel (getpid, time) and C's own contracts.</summary>
public class LibcCorrectnessTests
{
    private static string Out(string code)
    {
        var r = Fixture.Py(code, withFixture: false);
        Assert.True(r.Exit == 0, "exit " + r.Exit + "\n" + r.Stderr + "\n" + r.Stdout);
        return r.Stdout;
    }

    [Fact]
    public void AssemblerFunctionsTakeTheirDeclaredType()
    {
        // getpid and getuid are syscall-template.S: their DIEs say `void f()`; a C unit's declaration types them.
        string pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(pid + "\n" + pid + "\nTrue\n",
            Out("import c\nprint(c.getpid())\nprint(c.__getpid())\nprint(c.getuid() == c.geteuid() or c.getuid() >= 0)"));
        Assert.Contains("getpid(void)", Out("import c\nprint(repr(c.getpid))"), StringComparison.Ordinal);
    }

    [Fact]
    public void VdsoBackedExportsAreCallable()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string[] lines = Out("import c\nprint(c.time(None))\ntv = c.struct.timeval()\nprint(c.gettimeofday(tv, None), tv.tv_sec)").Split('\n');
        Assert.InRange(long.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture), now - 5, now + 60);
        string[] g = lines[1].Split(' ');
        Assert.Equal("0", g[0]);
        Assert.InRange(long.Parse(g[1], System.Globalization.CultureInfo.InvariantCulture), now - 5, now + 60);
    }

    [Fact]
    public void CharArraysOf256AreWhole()
    {
        // struct dirent's d_name: char[256], its upper bound 255 in DW_FORM_data1.
        Assert.Equal("256\n", Out("import c\nd = c.opendir(b'/')\ne = c.readdir(d)\nprint(len(e.d_name))\nc.closedir(d)"));
    }

    [Fact]
    public void ErrnoIsTheLastCallsErrno()
    {
        // open's ENOENT survives the reads and allocations between the call and `c.errno`; a stored 0 reaches strtol,
        // which sets ERANGE on overflow (the C idiom), and stays 0 on success.
        Assert.Equal("-1 2\n9223372036854775807 34\n42 0\n",
            Out("import c\nfd = c.open(b'/nonexistent/x', 0)\nx = [str(i) for i in range(100)]\nprint(fd, c.errno)\n" +
                "c.errno = 0\nprint(c.strtol(b'99999999999999999999999', None, 10), c.errno)\n" +
                "c.errno = 0\nprint(c.strtol(b'42', None, 10), c.errno)"));
    }
}
