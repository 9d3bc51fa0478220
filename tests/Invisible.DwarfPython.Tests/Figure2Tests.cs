using System.IO;
using Xunit;

namespace Invisible.DwarfPython.Tests;

/// <summary>The paper's Figure 2 session, in Python 3 spelling, run by the real NativeAOT binary.</summary>
public class Figure2Tests
{
    private static string Binary => Path.Combine(Fixture.RepoRoot, "build", "bin", "invisible");

    [Fact]
    public void TrivialSessionVerbatim()
    {
        Assert.True(File.Exists(Binary), "NativeAOT binary missing: " + Binary + " (run scripts/build)");
        string dir = Path.Combine(Path.GetTempPath(), "dwarfpython-fig2-" + System.Environment.ProcessId);
        Directory.CreateDirectory(dir);
        string script = Path.Combine(dir, "fig2.py");
        File.WriteAllText(script,
            "import c\n" +
            "s = c.struct.stat()\n" +
            "c.stat(\"/etc/passwd\", s)\n" +
            "print(s)\n" +
            "import os\n" +
            "print(s.st_size == os.stat(\"/etc/passwd\").st_size)\n" +
            "def bye():\n" +
            "    print(\"Goodbye, world!\")\n" +
            "c.atexit(bye)\n" +
            "import m\n" +
            "print(m.log2(s.st_size))\n" +
            "exit(0)\n");
        var r = Fixture.Run(Binary, new[] { "python", script }, dir);
        var st = new FileInfo("/etc/passwd");
        long size = st.Length;
        string[] lines = r.Stdout.Split('\n');
        Assert.Equal(0, r.Exit);
        Assert.Equal("", r.Stderr);
        Assert.StartsWith("{st_dev = ", lines[0]);
        Assert.Contains(", st_size = " + size + ", st_blksize = ", lines[0]);
        Assert.EndsWith(", __glibc_reserved = {0, 0, 0}}", lines[0]);
        Assert.Equal("True", lines[1]);
        Assert.Equal(System.Math.Log2(size).ToString("R", System.Globalization.CultureInfo.InvariantCulture), lines[2]);
        Assert.Equal("Goodbye, world!", lines[3]);
        Assert.Equal("", lines[4]);
        Assert.Equal(5, lines.Length);
    }

    [Fact]
    public void HeapSeesPythonAllocatedObjectsByType()
    {
        string dir = Path.GetTempPath();
        var r = Fixture.Run(Binary, new[] { "python", "-c",
            "import c, process\ns = c.struct.stat()\nb = process.heap.block(s)\nprint(b['type'], b['size'], b['start'] == process.address(s))\n" +
            "print([r for r in process.heap.census() if r['type'] == 'struct stat'])\nprint(len(list(process.heap.objects('struct stat'))))" }, dir);
        Assert.Equal("struct stat 144 True\n[{'type': 'struct stat', 'blocks': 1, 'bytes': 144}]\n1\n", r.Stdout);
        Assert.Equal(0, r.Exit);
    }

    /// <summary>process.heap.census() is the census of the exit report (abi/Census): the first heap query of the script
    /// counts every object it made (no young block missed while the census resolves sites), and blocks our own code
    /// allocated — libinvisible.so's loader-extension objects (<c>struct dlx_*</c>), the interpreter's — are not the
    /// program's: no row for them.</summary>
    [Fact]
    public void HeapCensusIsTheExitReportsCensus()
    {
        var r = Fixture.Run(Binary, new[] { "python", "-c",
            "import c, process\nxs = [c.struct.stat() for _ in range(13)]\ndef f(): return 1\nf()\nrows = process.heap.census()\n" +
            "print([x for x in rows if x['type'] == 'struct stat'])\nprint([x['type'] for x in rows if x['type'].startswith('struct dlx_')])" }, Path.GetTempPath());
        Assert.Equal("[{'type': 'struct stat', 'blocks': 13, 'bytes': 1872}]\n[]\n", r.Stdout);
        Assert.Equal(0, r.Exit);
    }

    [Fact]
    public void HeapWithoutPreloadIsAClearError()
    {
        var r = Fixture.Run(Binary, new[] { "python", "-c", "import process\nprocess.heap" }, Path.GetTempPath(), "INVISIBLE_PYTHON_NO_PRELOAD=1");
        Assert.EndsWith("RuntimeError: process.heap: run under invisible (libinvisible.so not preloaded)\n", r.Stderr);
    }
}
