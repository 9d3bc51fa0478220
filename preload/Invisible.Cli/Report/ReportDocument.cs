using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Invisible.Cli.Report;

/// <summary>Bad input to <c>invisible report</c>: said in one line, exit status 2.</summary>
public sealed class ReportFormatException : Exception
{
    public ReportFormatException(string message) : base(message) { }
}

/// <summary>One frame of a trace as the JSON report gives it (innermost first in a trace).</summary>
public sealed class ReportFrame
{
    public ulong Pc { get; init; }
    public string? Function { get; init; }
    public string? File { get; init; }
    public int Line { get; init; }
    public string Module { get; init; } = "";
    public bool Inlined { get; init; }
    public string? BuildId { get; init; }

    /// <summary>The name people read: the function (with " (inlined)"), else <c>?? 0xPC (in module)</c>.</summary>
    public string DisplayName
    {
        get
        {
            if (Function is not null) return Inlined ? Function + " (inlined)" : Function;
            // The report has no module offset: the pc itself, and the module, as valgrind's "0x...: ??? (in lib)".
            string pc = "?? 0x" + Pc.ToString("x", CultureInfo.InvariantCulture);
            return Module.Length == 0 ? pc : pc + " (in " + System.IO.Path.GetFileName(Module) + ")";
        }
    }

    /// <summary><c>file:line</c> with the file's last component, or null.</summary>
    public string? Location => File is null ? null
        : Line > 0 ? System.IO.Path.GetFileName(File) + ":" + Line.ToString(CultureInfo.InvariantCulture) : System.IO.Path.GetFileName(File);
}

/// <summary>A leak loss record.</summary>
public sealed class LeakRecord
{
    public string Kind { get; init; } = "";
    public long Blocks { get; init; }
    public long Bytes { get; init; }
    public long IndirectBlocks { get; init; }
    public long IndirectBytes { get; init; }
    public string? Type { get; init; }
    public ReportFrame[] Trace { get; init; } = Array.Empty<ReportFrame>();
}

/// <summary>One allocation site of the <c>profile</c> section.</summary>
public sealed class ProfileSite
{
    public ReportFrame[] Trace { get; init; } = Array.Empty<ReportFrame>();
    public long Allocations { get; init; }
    public long Bytes { get; init; }
    public long Temporary { get; init; }
    public long LiveBlocks { get; init; }
    public long LiveBytes { get; init; }
    public long PeakBytes { get; init; }
}

public readonly record struct TimelinePoint(double TimeMs, long HeapBytes);

/// <summary>The <c>profile</c> section (issue 13 item 1).</summary>
public sealed class ProfileSection
{
    public long TotalAllocations { get; init; }
    public long TotalBytes { get; init; }
    public long TotalTemporary { get; init; }
    public long PeakBytes { get; init; }
    public double PeakTimeMs { get; init; }
    public ProfileSite[] Sites { get; init; } = Array.Empty<ProfileSite>();
    public TimelinePoint[] Timeline { get; init; } = Array.Empty<TimelinePoint>();
}

public sealed class CensusSite
{
    public string? Function { get; init; }
    public string? File { get; init; }
    public int Line { get; init; }
    public long Blocks { get; init; }
    public long Bytes { get; init; }
}

public sealed class CensusType
{
    public string Type { get; init; } = "";
    public long Blocks { get; init; }
    public long Bytes { get; init; }
    public CensusSite[] Sites { get; init; } = Array.Empty<CensusSite>();
}

public readonly record struct LeakTotal(long Blocks, long Bytes);

/// <summary>
/// A saved JSON report (README "JSON report"), read once and shared by every format of <c>invisible report</c>.
/// Every section but <c>pid</c> and <c>command</c> is optional: a report without <c>profile</c> (no
/// <c>--profile</c>), without <c>leaks</c> (<c>--leak-check=no</c>) or without <c>census</c> is still converted.
/// </summary>
public sealed class ReportDocument
{
    /// <summary>Leak kinds in the order reports list them.</summary>
    public static readonly string[] LeakKinds = { "definitely_lost", "indirectly_lost", "possibly_lost", "still_reachable" };

    public long Pid { get; private init; }
    public string Command { get; private init; } = "";
    public Dictionary<string, LeakTotal>? LeakTotals { get; private init; }
    public LeakRecord[] Leaks { get; private init; } = System.Array.Empty<LeakRecord>();
    public CensusType[]? Census { get; private init; }
    public ProfileSection? Profile { get; private init; }

    public static ReportDocument Parse(byte[] bytes, string name)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            bool truncated = e.Message.Contains("end of data", StringComparison.OrdinalIgnoreCase)
                             || e.Message.Contains("incomplete", StringComparison.OrdinalIgnoreCase);
            throw new ReportFormatException(name + ": not a JSON report" + (truncated ? " (truncated?)" : "") + ": "
                                            + FirstLine(e.Message));
        }
        using (doc)
        {
            try
            {
                return FromRoot(doc.RootElement, name);
            }
            catch (InvalidOperationException e)
            {
                throw new ReportFormatException(name + ": not an Invisible JSON report: " + e.Message);
            }
            catch (FormatException e)
            {
                throw new ReportFormatException(name + ": not an Invisible JSON report: " + e.Message);
            }
        }
    }

    private static string FirstLine(string s)
    {
        int nl = s.IndexOf('\n');
        return nl < 0 ? s : s.Substring(0, nl);
    }

    private static ReportDocument FromRoot(JsonElement root, string name)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new ReportFormatException(name + ": not an Invisible JSON report (the top level is not an object)");
        if (root.TryGetProperty("version", out JsonElement version)
            && !(version.ValueKind == JsonValueKind.Number && version.TryGetInt32(out int v) && v == 1))
            throw new ReportFormatException(name + ": JSON report version " + version.GetRawText() + " is not supported (this invisible reads version 1)");
        if (!root.TryGetProperty("pid", out JsonElement pid) || pid.ValueKind != JsonValueKind.Number
            || !root.TryGetProperty("command", out JsonElement command) || command.ValueKind != JsonValueKind.String)
            throw new ReportFormatException(name + ": not an Invisible JSON report (no \"pid\" and \"command\")");

        Dictionary<string, LeakTotal>? totals = null;
        var leaks = new List<LeakRecord>();
        if (root.TryGetProperty("leaks", out JsonElement leakSection) && leakSection.ValueKind == JsonValueKind.Object)
        {
            totals = new Dictionary<string, LeakTotal>(StringComparer.Ordinal);
            foreach (string kind in LeakKinds)
                if (leakSection.TryGetProperty(kind, out JsonElement k) && k.ValueKind == JsonValueKind.Object)
                    totals[kind] = new LeakTotal(Long(k, "blocks"), Long(k, "bytes"));
            foreach (JsonElement r in Array(leakSection, "records"))
                leaks.Add(new LeakRecord
                {
                    Kind = Str(r, "kind") ?? "",
                    Blocks = Long(r, "blocks"),
                    Bytes = Long(r, "bytes"),
                    IndirectBlocks = Long(r, "indirect_blocks"),
                    IndirectBytes = Long(r, "indirect_bytes"),
                    Type = Str(r, "type"),
                    Trace = Trace(r),
                });
        }

        CensusType[]? census = null;
        if (root.TryGetProperty("census", out JsonElement censusSection) && censusSection.ValueKind == JsonValueKind.Array)
        {
            var types = new List<CensusType>();
            foreach (JsonElement t in censusSection.EnumerateArray())
            {
                var sites = new List<CensusSite>();
                foreach (JsonElement s in Array(t, "sites"))
                    sites.Add(new CensusSite { Function = Str(s, "function"), File = Str(s, "file"), Line = (int)Long(s, "line"), Blocks = Long(s, "blocks"), Bytes = Long(s, "bytes") });
                types.Add(new CensusType { Type = Str(t, "type") ?? "?", Blocks = Long(t, "blocks"), Bytes = Long(t, "bytes"), Sites = sites.ToArray() });
            }
            census = types.ToArray();
        }

        ProfileSection? profile = null;
        if (root.TryGetProperty("profile", out JsonElement p) && p.ValueKind == JsonValueKind.Object)
        {
            JsonElement total = Object(p, "total");
            JsonElement peak = Object(p, "peak");
            var sites = new List<ProfileSite>();
            foreach (JsonElement s in Array(p, "sites"))
                sites.Add(new ProfileSite
                {
                    Trace = Trace(s),
                    Allocations = Long(s, "allocations"),
                    Bytes = Long(s, "bytes"),
                    Temporary = Long(s, "temporary"),
                    LiveBlocks = Long(s, "live_blocks"),
                    LiveBytes = Long(s, "live_bytes"),
                    PeakBytes = Long(s, "peak_bytes"),
                });
            var timeline = new List<TimelinePoint>();
            foreach (JsonElement t in Array(p, "timeline"))
                timeline.Add(new TimelinePoint(Double(t, "t_ms"), Long(t, "heap_bytes")));
            profile = new ProfileSection
            {
                TotalAllocations = Long(total, "allocations"),
                TotalBytes = Long(total, "bytes"),
                TotalTemporary = Long(total, "temporary"),
                PeakBytes = Long(peak, "bytes"),
                PeakTimeMs = Double(peak, "time_ms"),
                Sites = sites.ToArray(),
                Timeline = timeline.ToArray(),
            };
        }

        return new ReportDocument
        {
            Pid = pid.GetInt64(),
            Command = command.GetString() ?? "",
            LeakTotals = totals,
            Leaks = leaks.ToArray(),
            Census = census,
            Profile = profile,
        };
    }

    private static ReportFrame[] Trace(JsonElement owner)
    {
        var frames = new List<ReportFrame>();
        foreach (JsonElement f in Array(owner, "trace"))
        {
            if (f.ValueKind != JsonValueKind.Object) throw new FormatException("a trace frame is not an object");
            frames.Add(new ReportFrame
            {
                Pc = f.TryGetProperty("pc", out JsonElement pc) && pc.ValueKind == JsonValueKind.Number ? pc.GetUInt64() : 0,
                Function = Str(f, "function"),
                File = Str(f, "file"),
                Line = (int)Long(f, "line"),
                Module = Str(f, "module") ?? "",
                Inlined = f.TryGetProperty("inlined", out JsonElement inl) && inl.ValueKind == JsonValueKind.True,
                BuildId = Str(f, "build_id"),
            });
        }
        return frames.ToArray();
    }

    private static JsonElement Object(JsonElement e, string key)
    {
        if (e.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.Object) return v;
        return default;
    }

    private static JsonElement.ArrayEnumerator Array(JsonElement e, string key)
    {
        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out JsonElement v))
        {
            if (v.ValueKind == JsonValueKind.Array) return v.EnumerateArray();
            if (v.ValueKind != JsonValueKind.Null) throw new FormatException("\"" + key + "\" is not an array");
        }
        return default;
    }

    private static long Long(JsonElement e, string key)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null) return 0;
        if (v.ValueKind != JsonValueKind.Number) throw new FormatException("\"" + key + "\" is not a number");
        if (v.TryGetInt64(out long l)) return l;
        return (long)v.GetDouble();
    }

    private static double Double(JsonElement e, string key)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null) return 0;
        if (v.ValueKind != JsonValueKind.Number) throw new FormatException("\"" + key + "\" is not a number");
        return v.GetDouble();
    }

    private static string? Str(JsonElement e, string key)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw new FormatException("\"" + key + "\" is not a string");
        return v.GetString();
    }

    /// <summary>The stacks every flame-graph-like format draws: the profile's sites when the report has a
    /// profile, else its leak records (what was live at exit).</summary>
    public IReadOnlyList<StackSample> Samples()
    {
        var list = new List<StackSample>();
        if (Profile is not null)
        {
            foreach (ProfileSite s in Profile.Sites)
                list.Add(new StackSample(s.Trace, s.Allocations, s.Bytes, s.LiveBlocks, s.LiveBytes, s.PeakBytes, s.Temporary));
        }
        else
        {
            foreach (LeakRecord r in Leaks)
                list.Add(new StackSample(r.Trace, r.Blocks, r.Bytes, r.Blocks, r.Bytes, 0, 0));
        }
        return list;
    }

    /// <summary>Thousands separators, as the text reports print counts.</summary>
    public static string Count(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>One line per stack for the folded formats: frames root first, joined by ';'.</summary>
    public static string Folded(ReportFrame[] trace)
    {
        var sb = new StringBuilder();
        for (int i = trace.Length - 1; i >= 0; i--)
        {
            if (sb.Length > 0) sb.Append(';');
            // ';' separates frames and ' ' ends the stack in flamegraph.pl's format: keep names intact otherwise.
            sb.Append(trace[i].DisplayName.Replace(';', ':'));
        }
        if (sb.Length == 0) sb.Append("[no trace]");
        return sb.ToString();
    }
}

/// <summary>One stack with its values: allocations and bytes allocated, blocks and bytes live at exit, bytes held at
/// the heap's peak, temporary allocations.</summary>
public readonly record struct StackSample(ReportFrame[] Trace, long Allocations, long Bytes, long LiveBlocks, long LiveBytes,
                                          long PeakBytes, long Temporary);
