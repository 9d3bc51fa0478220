using System.IO;
using System.Text.Json;
using Xunit;

namespace Invisible.NativeEntry.Tests;

/// <summary>A Python function calls native code that leaks: the leak report's trace names the Python function.</summary>
public sealed class LeakTraceTests
{
    [Fact]
    public void LeakFromNativeCodeCalledByPythonFunction_TraceNamesPythonFunction()
    {
        string dir = Harness.TempDir();
        string script = Harness.Script(dir, """
            import _nativeentry as ne
            leak = ne.dlsym(ne.dlopen("@FIXTURE@"), "ne_leak")
            def fac(n):
                if n <= 1:
                    ne.call(leak, 4242)
                    return 1
                return n * fac(n - 1)
            print(fac(4))
            """);
        string json = Path.Combine(dir, "report.json");
        var env = new System.Collections.Generic.Dictionary<string, string> { ["INVISIBLE_DLEXT_DIR"] = dir, ["INVISIBLE_DLEXT_PERFMAP"] = "0" };
        RunResult r = Harness.Run(Harness.Cli, new[] { "run", "--depth=16", "--json=" + json, "--", Harness.Cli, "python", script }, env);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("24\n", r.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement? record = null;
        foreach (JsonElement rec in doc.RootElement.GetProperty("leaks").GetProperty("records").EnumerateArray())
            if (rec.GetProperty("bytes").GetInt64() == 4242) record = rec;
        Assert.True(record.HasValue, "no 4242-byte leak record:\n" + r.Stderr);
        var names = new System.Collections.Generic.List<string>();
        var modules = new System.Collections.Generic.List<string>();
        foreach (JsonElement fr in record!.Value.GetProperty("trace").EnumerateArray())
        {
            names.Add(fr.GetProperty("function").ValueKind == JsonValueKind.String ? fr.GetProperty("function").GetString()! : "?");
            modules.Add(fr.GetProperty("module").ValueKind == JsonValueKind.String ? fr.GetProperty("module").GetString()! : "?");
        }
        string all = string.Join(" ", names);
        Assert.Equal("ne_leak", names[0]);
        int fac = names.IndexOf("fac");
        Assert.True(fac >= 2, "fac not in the trace beyond the native frames: " + all);
        Assert.EndsWith("python:__main__", modules[fac]);
        // the recursion shows as repeated fac frames (as many as fit in the 16 captured)
        Assert.True(names.FindAll(n => n == "fac").Count >= 2, all);
        // the text report names it as well
        Assert.Contains("fac (in ", r.Stderr);
    }
}
