using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;

namespace Invisible.Cli;

/// <summary>
/// <c>invisible diff A B</c>: what grew between two JSON reports or snapshots, by allocation site and by type, largest
/// growth first. A site's live bytes come from the profile (<c>profile.sites</c>, live_blocks/live_bytes) when both
/// files have one, else from the census's sites; types from the census. Sites are matched by their symbolized trace
/// (function, file, line of each frame; module and offset when a frame has no symbol), so two runs of the same
/// program compare too.
/// </summary>
public static class DiffCommand
{
    private const int ExitUsage = 2;

    private readonly record struct Live(long Blocks, long Bytes);

    public static int Execute(ReadOnlySpan<string> args)
    {
        if (args.Length != 2 || args[0].StartsWith('-') || args[1].StartsWith('-'))
            return Fail("usage: invisible diff A.json B.json");
        JsonDocument? before = Load(args[0]), after = before is null ? null : Load(args[1]);
        if (before is null || after is null)
            return ExitUsage;
        using (before)
        using (after)
        {
            bool profiled = before.RootElement.TryGetProperty("profile", out _) && after.RootElement.TryGetProperty("profile", out _);
            Dictionary<string, Live> sitesBefore = profiled ? ProfileSites(before.RootElement) : CensusSites(before.RootElement);
            Dictionary<string, Live> sitesAfter = profiled ? ProfileSites(after.RootElement) : CensusSites(after.RootElement);
            var text = new StringBuilder();
            text.Append("growth by site (live bytes and blocks, ").Append(profiled ? "profile" : "census").Append("):\n");
            AppendGrowth(text, sitesBefore, sitesAfter);
            text.Append("growth by type (census):\n");
            AppendGrowth(text, CensusTypes(before.RootElement), CensusTypes(after.RootElement));
            Console.Out.Write(text.ToString());
            return 0;
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("invisible: " + message);
        return ExitUsage;
    }

    private static JsonDocument? Load(string path)
    {
        try
        {
            JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                Fail("diff: " + path + " is not an invisible JSON report (not an object)");
                return null;
            }
            return document;
        }
        catch (IOException e)
        {
            Fail("diff: cannot read " + path + ": " + e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            Fail("diff: cannot read " + path + ": " + e.Message);
        }
        catch (JsonException e)
        {
            Fail("diff: " + path + " is not valid JSON: " + e.Message);
        }
        return null;
    }

    private static void AppendGrowth(StringBuilder text, Dictionary<string, Live> before, Dictionary<string, Live> after)
    {
        var rows = new List<(string Key, long Bytes, long Blocks)>();
        var keys = new HashSet<string>(before.Keys);
        keys.UnionWith(after.Keys);
        foreach (string key in keys)
        {
            before.TryGetValue(key, out Live a);
            after.TryGetValue(key, out Live b);
            if (a != b)
                rows.Add((key, b.Bytes - a.Bytes, b.Blocks - a.Blocks));
        }
        rows.Sort((x, y) =>
        {
            int c = y.Bytes.CompareTo(x.Bytes);
            if (c == 0) c = y.Blocks.CompareTo(x.Blocks);
            return c != 0 ? c : string.CompareOrdinal(x.Key, y.Key);
        });
        if (rows.Count == 0)
            text.Append("  no change\n");
        foreach (var row in rows)
            text.Append("  ").Append(Signed(row.Bytes).PadLeft(16)).Append(" bytes ").Append(Signed(row.Blocks).PadLeft(12))
                .Append(" blocks  ").Append(row.Key).Append('\n');
    }

    private static string Signed(long value) =>
        (value > 0 ? "+" : value < 0 ? "-" : "") + Math.Abs(value).ToString("#,0", CultureInfo.InvariantCulture);

    private static Dictionary<string, Live> ProfileSites(JsonElement root)
    {
        var sites = new Dictionary<string, Live>(StringComparer.Ordinal);
        if (!root.TryGetProperty("profile", out JsonElement profile) || !profile.TryGetProperty("sites", out JsonElement list) ||
            list.ValueKind != JsonValueKind.Array)
            return sites;
        foreach (JsonElement site in list.EnumerateArray())
        {
            string key = site.TryGetProperty("trace", out JsonElement trace) ? TraceKey(trace) : "???";
            Add(sites, key, Number(site, "live_blocks"), Number(site, "live_bytes"));
        }
        return sites;
    }

    private static Dictionary<string, Live> CensusSites(JsonElement root)
    {
        var sites = new Dictionary<string, Live>(StringComparer.Ordinal);
        foreach (JsonElement type in CensusEntries(root))
        {
            if (!type.TryGetProperty("sites", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
                continue;
            foreach (JsonElement site in list.EnumerateArray())
                Add(sites, FrameKey(site), Number(site, "blocks"), Number(site, "bytes"));
        }
        return sites;
    }

    private static Dictionary<string, Live> CensusTypes(JsonElement root)
    {
        var types = new Dictionary<string, Live>(StringComparer.Ordinal);
        foreach (JsonElement type in CensusEntries(root))
        {
            string name = type.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "???";
            Add(types, name, Number(type, "blocks"), Number(type, "bytes"));
        }
        return types;
    }

    private static IEnumerable<JsonElement> CensusEntries(JsonElement root)
    {
        if (root.TryGetProperty("census", out JsonElement census) && census.ValueKind == JsonValueKind.Array)
            foreach (JsonElement type in census.EnumerateArray())
                if (type.ValueKind == JsonValueKind.Object)
                    yield return type;
    }

    private static void Add(Dictionary<string, Live> map, string key, long blocks, long bytes)
    {
        map.TryGetValue(key, out Live live);
        map[key] = new Live(live.Blocks + blocks, live.Bytes + bytes);
    }

    private static long Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement v) &&
        v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n) ? n : 0;

    private static string TraceKey(JsonElement trace)
    {
        if (trace.ValueKind != JsonValueKind.Array)
            return "???";
        var key = new StringBuilder();
        foreach (JsonElement frame in trace.EnumerateArray())
        {
            if (key.Length > 0)
                key.Append(" <- ");
            key.Append(FrameKey(frame));
        }
        return key.Length == 0 ? "???" : key.ToString();
    }

    /// <summary><c>function (file:line)</c> as the text report shows a frame; <c>module+0xpc</c> without a symbol.</summary>
    private static string FrameKey(JsonElement frame)
    {
        string? function = String(frame, "function");
        string? file = String(frame, "file");
        long line = Number(frame, "line");
        if (function is null)
            return (String(frame, "module") is { Length: > 0 } m ? Path.GetFileName(m) : "???") + "+0x" +
                   Number(frame, "pc").ToString("x", CultureInfo.InvariantCulture);
        return file is not null && line > 0
            ? function + " (" + Path.GetFileName(file) + ":" + line.ToString(CultureInfo.InvariantCulture) + ")"
            : function;
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String
            ? v.GetString() : null;
}
