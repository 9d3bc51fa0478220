using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Invisible.Abi.Query;
using Invisible.Abi.Symbolization;

namespace Invisible.Runtime.Reporting;

/// <summary>One trace's allocation profile, its trace symbolized.</summary>
public sealed class ProfiledSite
{
    public ProfiledSite(ProfileSite counters, SourceFrame[] frames)
    {
        Counters = counters;
        Frames = frames;
    }

    public ProfileSite Counters { get; }
    public SourceFrame[] Frames { get; }
}

/// <summary>The allocation profile of a report (--profile): the JSON <c>profile</c> section
/// (docs/report-format.md) and the text summary.</summary>
public sealed class ProfileReport
{
    private const int TopSites = 5;

    private ProfileReport(Profile profile, List<ProfiledSite> sites, ProfilePoint[] timeline)
    {
        Totals = profile;
        Sites = sites;
        Timeline = timeline;
    }

    /// <summary>Totals, peak and elapsed time (the pointers in it are not to be followed: copied below).</summary>
    public Profile Totals { get; }
    /// <summary>Every trace with an allocation or a free, by trace id.</summary>
    public List<ProfiledSite> Sites { get; }
    public ProfilePoint[] Timeline { get; }

    /// <summary>Read and symbolize the profile, or null when profiling is off.</summary>
    public static unsafe ProfileReport? Read(QueryApi* api, Func<ulong[], int, SourceFrame[]> symbolize)
    {
        if (!api->HasProfile)
            return null;
        Profile* p = api->ProfileRead();
        if (p == null)
            return null;
        // Copied before symbolizing: symbolization allocates, and the next read reuses the buffers.
        var counters = new ProfileSite[p->SiteCount];
        for (ulong i = 0; i < p->SiteCount; i++)
            counters[i] = p->Sites[i];
        var timeline = new ProfilePoint[p->TimelineCount];
        for (ulong i = 0; i < p->TimelineCount; i++)
            timeline[i] = p->Timeline[i];
        Profile totals = *p;
        var sites = new List<ProfiledSite>(counters.Length);
        var pcs = new ulong[64];
        foreach (ProfileSite site in counters)
        {
            int depth;
            fixed (ulong* q = pcs)
                depth = api->TraceFrames(site.TraceId, q, pcs.Length);
            sites.Add(new ProfiledSite(site, symbolize(pcs, depth)));
        }
        return new ProfileReport(totals, sites, timeline);
    }

    public void WriteJson(Utf8JsonWriter w)
    {
        w.WriteStartObject("profile");
        w.WriteStartObject("total");
        w.WriteNumber("allocations", Totals.Allocations);
        w.WriteNumber("bytes", Totals.Bytes);
        w.WriteNumber("temporary", Totals.Temporary);
        w.WriteEndObject();
        w.WriteStartObject("peak");
        w.WriteNumber("bytes", Totals.PeakBytes);
        w.WriteNumber("time_ms", Totals.PeakNanoseconds / 1000000);
        w.WriteStartArray("sites");
        foreach (ProfiledSite site in BySize(s => s.PeakBytes))
        {
            if (site.Counters.PeakBytes == 0)
                break;
            w.WriteStartObject();
            w.WritePropertyName("trace");
            JsonReportWriter.WriteFrames(w, site.Frames);
            w.WriteNumber("bytes", site.Counters.PeakBytes);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartArray("sites");
        foreach (ProfiledSite site in Sites)
        {
            w.WriteStartObject();
            w.WritePropertyName("trace");
            JsonReportWriter.WriteFrames(w, site.Frames);
            w.WriteNumber("allocations", site.Counters.Allocations);
            w.WriteNumber("bytes", site.Counters.Bytes);
            w.WriteNumber("temporary", site.Counters.Temporary);
            w.WriteNumber("live_blocks", site.Counters.LiveBlocks);
            w.WriteNumber("live_bytes", site.Counters.LiveBytes);
            w.WriteNumber("peak_bytes", site.Counters.PeakBytes);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("timeline");
        foreach (ProfilePoint point in Timeline)
        {
            w.WriteStartObject();
            w.WriteNumber("t_ms", point.TimeNanoseconds / 1000000);
            w.WriteNumber("heap_bytes", point.HeapBytes);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>heaptrack_print's first questions, short: who allocates most, what is temporary, who held the peak.</summary>
    public string FormatText(int pid)
    {
        var sb = new StringBuilder();
        string prefix = "==" + pid.ToString(CultureInfo.InvariantCulture) + "== ";
        sb.Append(prefix).Append("ALLOCATION PROFILE: ").Append(TextReportWriter.Grouped(Totals.Allocations))
          .Append(" allocations, ").Append(TextReportWriter.Grouped(Totals.Bytes)).Append(" bytes, ")
          .Append(TextReportWriter.Grouped(Totals.Temporary)).Append(" temporary; peak ")
          .Append(TextReportWriter.Grouped(Totals.PeakBytes)).Append(" bytes at ")
          .Append((Totals.PeakNanoseconds / 1e6).ToString("0.0", CultureInfo.InvariantCulture)).Append(" ms\n");
        AppendTop(sb, prefix, "most allocations", BySize(s => s.Allocations), s => s.Allocations, " allocations");
        AppendTop(sb, prefix, "most temporary allocations", BySize(s => s.Temporary), s => s.Temporary, " temporary");
        AppendTop(sb, prefix, "peak consumers", BySize(s => s.PeakBytes), s => s.PeakBytes, " bytes at peak");
        return sb.ToString();
    }

    private static void AppendTop(StringBuilder sb, string prefix, string title, List<ProfiledSite> sorted,
                                  Func<ProfileSite, ulong> value, string unit)
    {
        sb.Append(prefix).Append("  ").Append(title).Append(":\n");
        int shown = 0;
        foreach (ProfiledSite site in sorted)
        {
            ulong v = value(site.Counters);
            if (v == 0 || shown == TopSites)
                break;
            shown++;
            sb.Append(prefix).Append("    ").Append(TextReportWriter.Grouped(v).PadLeft(14)).Append(unit).Append(" at ")
              .Append(site.Frames.Length > 0 ? TextReportWriter.FormatFrame(site.Frames[0]) : "???").Append('\n');
        }
        if (shown == 0)
            sb.Append(prefix).Append("    none\n");
    }

    /// <summary>Sites by a figure, largest first, then by trace id (a stable order for equal figures).</summary>
    public List<ProfiledSite> BySize(Func<ProfileSite, ulong> value)
    {
        var sorted = new List<ProfiledSite>(Sites);
        sorted.Sort((a, b) =>
        {
            int c = value(b.Counters).CompareTo(value(a.Counters));
            return c != 0 ? c : a.Counters.TraceId.CompareTo(b.Counters.TraceId);
        });
        return sorted;
    }
}
