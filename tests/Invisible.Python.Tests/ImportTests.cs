using System;
using System.IO;
using Xunit;

namespace Invisible.Python.Tests;

/// <summary>
/// The import system beyond what the corpus (tests/python/modules/import_machinery.py, import_cache.py) compares with
/// CPython: <c>-m</c> with runpy's semantics and errors, and the compiled-code cache's handling of files CPython would
/// choke on (garbage after a valid header, another compiler version).
/// </summary>
public sealed class ImportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("invisible-import-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private void Write(string rel, string text)
    {
        var path = Path.Combine(_dir, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static string Exe => Environment.ProcessPath ?? "invisible";

    [Fact]
    public void DashMRunsModuleAsMainWithArgs()
    {
        Write("tool.py", "import sys\nprint(__name__, sys.argv[1:], __spec__.name, __package__ == '')\nprint(sys.argv[0].endswith('tool.py'), __file__ == sys.argv[0])\n");
        var r = Paths.RunOurs(new[] { "-m", "tool", "a", "-x", "--y" }, _dir);
        Assert.Equal("", r.Stderr);
        Assert.Equal("__main__ ['a', '-x', '--y'] tool True\nTrue True\n", r.Stdout);
        Assert.Equal(0, r.Exit);
    }

    [Fact]
    public void DashMRunsPackageMainAndSubmodules()
    {
        Write("app/__init__.py", "print('init', __name__)\n");
        Write("app/__main__.py", "from . import helper\nprint('main', __name__, __package__, __spec__.name, helper.X)\n");
        Write("app/helper.py", "X = 5\n");
        Write("app/cli.py", "import sys\nprint('cli', __name__, __package__, sys.argv[1:])\nraise SystemExit(3)\n");
        var r = Paths.RunOurs(new[] { "-m", "app" }, _dir);
        Assert.Equal("init app\nmain __main__ app app.__main__ 5\n", r.Stdout);
        Assert.Equal(0, r.Exit);
        var cli = Paths.RunOurs(new[] { "-m", "app.cli", "go" }, _dir);
        Assert.Equal("init app\ncli __main__ app ['go']\n", cli.Stdout);
        Assert.Equal(3, cli.Exit);
    }

    [Fact]
    public void DashMErrorsAsCPython()
    {
        Write("lib/__init__.py", "");
        var missing = Paths.RunOurs(new[] { "-m", "no_such_mod" }, _dir);
        Assert.Equal($"{Exe}: No module named no_such_mod\n", missing.Stderr);
        Assert.Equal(1, missing.Exit);
        var pkg = Paths.RunOurs(new[] { "-m", "lib" }, _dir);
        Assert.Equal($"{Exe}: No module named lib.__main__; 'lib' is a package and cannot be directly executed\n", pkg.Stderr);
        Assert.Equal(1, pkg.Exit);
        var parent = Paths.RunOurs(new[] { "-m", "nopkg.sub" }, _dir);
        Assert.Equal($"{Exe}: Error while finding module specification for 'nopkg.sub' (ModuleNotFoundError: No module named 'nopkg')\n", parent.Stderr);
        Assert.Equal(1, parent.Exit);
        var rel = Paths.RunOurs(new[] { "-m", ".x" }, _dir);
        Assert.Equal($"{Exe}: Relative module names not supported\n", rel.Stderr);
        var builtin = Paths.RunOurs(new[] { "-m", "marshal" }, _dir);
        Assert.Equal($"{Exe}: No code object available for marshal\n", builtin.Stderr);
    }

    [Fact]
    public void UnknownOptionExitsTwo()
    {
        var r = Paths.RunOurs(new[] { "-Z" }, _dir);
        Assert.StartsWith("Unknown option: -Z\nusage: ", r.Stderr);
        Assert.Equal(2, r.Exit);
    }

    [Fact]
    public void CorruptCacheBodyIsIgnoredAndRewritten()
    {
        Write("src/victim.py", "V = [i * 2 for i in range(4)]\n");
        Write("main.py",
            "import sys, os, importlib, importlib.util\n" +
            "sys.pycache_prefix = os.path.join(os.getcwd(), 'cache')\n" +
            "sys.dont_write_bytecode = False\n" +
            "sys.path.insert(0, os.path.join(os.getcwd(), 'src'))\n" +
            "c = importlib.util.cache_from_source(os.path.join(os.getcwd(), 'src', 'victim.py'))\n" +
            "import victim\n" +
            "good = open(c, 'rb').read()\n" +
            "for bad in [good[:16] + b'\\xff\\x00garbage', good[:16] + b'C' + b'\\x00' * 40, good[:-3]]:\n" +
            "    open(c, 'wb').write(bad)\n" +
            "    del sys.modules['victim']\n" +
            "    import victim\n" +
            "    print(victim.V, open(c, 'rb').read() == good)\n");
        var r = Paths.RunOurs(new[] { "main.py" }, _dir);
        Assert.True(r.Stderr.Length == 0, r.Stderr);
        Assert.Equal("[0, 2, 4, 6] True\n[0, 2, 4, 6] True\n[0, 2, 4, 6] True\n", r.Stdout);
    }

    [Fact]
    public void CacheHitSkipsCompilation()
    {
        Write("src/hot.py", "def f():\n    return 'hot'\n");
        string prefix = Path.Combine(_dir, "cache");
        int Misses()
        {
            var engine = new PythonEngine(new StringWriter(), new StringWriter());
            int rc = engine.RunMain($"import sys\nsys.pycache_prefix = {Quote(prefix)}\nsys.dont_write_bytecode = False\nsys.path.insert(0, {Quote(Path.Combine(_dir, "src"))})\nimport hot\nassert hot.f() == 'hot'\n", "<test>");
            Assert.Equal(0, rc);
            return engine.Interpreter.Imports.CacheMisses;
        }
        Assert.Equal(1, Misses());
        Assert.Equal(0, Misses());
        File.AppendAllText(Path.Combine(_dir, "src", "hot.py"), "# changed\n");
        Assert.Equal(1, Misses());
    }

    private static string Quote(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}
