using System;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.DwarfPython.Tests;

/// <summary>Lookup step (b): a library whose debug info only a debuginfod server has. The server is Debian's
/// <c>debuginfod</c> on loopback, serving a directory with the separate debug file of a library built here and
/// stripped; the client is libdw's own (<c>DEBUGINFOD_URLS</c> set for the run, a private cache).</summary>
public class DebuginfodTests
{
    private static string Binary => Path.Combine(Fixture.RepoRoot, "build", "bin", "invisible");

    private static (string Out, string Err, int Exit) Run(string exe, string[] args, string dir, params (string, string)[] env)
    {
        var psi = new ProcessStartInfo(exe) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        foreach ((string k, string v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var so = p.StandardOutput.ReadToEndAsync();
        var se = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (so.Result, se.Result, p.ExitCode);
    }

    private static void Must((string Out, string Err, int Exit) r, string what) =>
        Assert.True(r.Exit == 0, what + " failed (" + r.Exit + "): " + r.Err + r.Out);

    private static int FreePort()
    {
        var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    [ToolFact("debuginfod")]
    public void ALibraryWithoutDebugInfoIsTypedByTheServer()
    {
        string dir = Path.Combine(Path.GetTempPath(), "invisible-dbgd-" + Guid.NewGuid().ToString("N"));
        string served = Path.Combine(dir, "served");
        Directory.CreateDirectory(served);
        Process? server = null;
        try
        {
            File.WriteAllText(Path.Combine(dir, "dbgd.c"),
                "struct dbgd_pair { int a; long b; };\nlong dbgd_sum(const struct dbgd_pair *p, int scale) { return (p->a + p->b) * scale; }\n");
            string lib = Path.Combine(dir, "libdbgd.so");
            Must(Run("gcc", new[] { "-g", "-O0", "-shared", "-fPIC", "-Wl,--build-id", "-o", lib, "dbgd.c" }, dir), "gcc");
            Must(Run("objcopy", new[] { "--only-keep-debug", lib, Path.Combine(served, "libdbgd.debug") }, dir), "objcopy");
            Must(Run("strip", new[] { "--strip-debug", lib }, dir), "strip");

            // Without the server: no DWARF, no header → no signature.
            var without = Run(Binary, new[] { "python", "-c", "import process\nl = process.load('" + lib + "')\nprint(l.dbgd_sum)" }, dir,
                ("DEBUGINFOD_URLS", ""), ("INVISIBLE_HEADERS", ""));
            Must(without, "invisible python");
            Assert.Contains("(no signature)", without.Out, StringComparison.Ordinal);

            int port = FreePort();
            var psi = new ProcessStartInfo("debuginfod") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string a in new[] { "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-d", Path.Combine(dir, "index.sqlite"), "-F", served, "-t", "1" })
                psi.ArgumentList.Add(a);
            server = Process.Start(psi)!;
            server.OutputDataReceived += (_, _) => { };
            server.ErrorDataReceived += (_, _) => { };
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();

            // Wait until the server has indexed the file (its scan is asynchronous): ask for it by build-id.
            string buildId = ReadBuildId(lib);
            string url = "http://127.0.0.1:" + port;
            using (var http = new HttpClient())
            {
                bool ready = false;
                for (int i = 0; i < 600 && !ready; i++)
                {
                    try { ready = http.GetAsync(url + "/buildid/" + buildId + "/debuginfo").Result.IsSuccessStatusCode; }
                    catch (AggregateException) { }
                    if (!ready) Thread.Sleep(100);
                }
                Assert.True(ready, "debuginfod did not serve " + buildId + " within a minute");
            }

            var with = Run(Binary, new[] { "python", "-c",
                "import process\nl = process.load('" + lib + "')\nprint(l.dbgd_sum)\np = l.struct.dbgd_pair(3, 4)\nprint(l.dbgd_sum(p, 5))" }, dir,
                ("DEBUGINFOD_URLS", url), ("DEBUGINFOD_CACHE_PATH", Path.Combine(dir, "cache")), ("DEBUGINFOD_TIMEOUT", "10"));
            Must(with, "invisible python with DEBUGINFOD_URLS");
            Assert.StartsWith("<native function long int dbgd_sum(const struct dbgd_pair *p, int scale) at 0x", with.Out, StringComparison.Ordinal);
            Assert.EndsWith("\n35\n", with.Out, StringComparison.Ordinal);
        }
        finally
        {
            if (server != null && !server.HasExited) { server.Kill(); server.WaitForExit(); }
            server?.Dispose();
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary>The GNU build-id of an ELF file, as readelf prints it.</summary>
    private static string ReadBuildId(string file)
    {
        var r = Run("readelf", new[] { "-n", file }, Path.GetTempPath());
        Must(r, "readelf");
        foreach (string line in r.Out.Split('\n'))
        {
            int at = line.IndexOf("Build ID:", StringComparison.Ordinal);
            if (at >= 0) return line.Substring(at + 9).Trim();
        }
        throw new Xunit.Sdk.XunitException("no build-id in " + file);
    }
}
