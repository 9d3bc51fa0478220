using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Invisible.Abi.Census;
using Invisible.Abi.Query;
using Invisible.Abi.Symbolization;
using Invisible.Runtime.Census;

namespace Invisible.Runtime.Reporting;

/// <summary>One loss record with its trace symbolized.</summary>
public sealed class SymbolizedRecord
{
    public SymbolizedRecord(LeakRecord record, SourceFrame[] frames)
    {
        Record = record;
        Frames = frames;
    }

    public LeakRecord Record { get; }

    /// <summary>All frames of the trace, innermost first; inlined frames precede their caller.</summary>
    public SourceFrame[] Frames { get; }

    /// <summary>Inferred type of the record's blocks (from its site, size and vtable); null if inference failed.</summary>
    public string? Type { get; set; }

    /// <summary>Index of the suppression that matched the record, -1 when none: a suppressed record is not listed
    /// and not counted in the kind totals (valgrind's LEAK SUMMARY counts it as "suppressed").</summary>
    public int SuppressedBy { get; set; } = -1;
}

/// <summary>"invisible: symbolizing loss record I of N" on the terminal (fd 2) while a report takes longer than a second
/// (libdw on a large program), rewritten in place at most five times a second and erased when done; only when
/// libinvisible.so said fd 2 is the terminal the report goes to (ReportFlags.Progress).</summary>
internal sealed class ProgressLine
{
    private readonly bool _enabled;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private long _lastMs = -1;

    public ProgressLine(bool enabled) => _enabled = enabled;

    public void Show(ulong done, ulong total)
    {
        if (!_enabled) return;
        long ms = _clock.ElapsedMilliseconds;
        if (ms < 1000 || (_lastMs >= 0 && ms - _lastMs < 200)) return;
        _lastMs = ms;
        Descriptor.WriteAll(2, Encoding.UTF8.GetBytes("\rinvisible: symbolizing loss record " + TextReportWriter.Grouped(done + 1) + " of " + TextReportWriter.Grouped(total) + "\u001b[K"));
    }

    public void Erase()
    {
        if (_lastMs >= 0) Descriptor.WriteAll(2, Encoding.UTF8.GetBytes("\r\u001b[K"));
    }
}

/// <summary>A suppression that matched, with what it matched (blocks, as LSan's hit count of objects, and bytes).</summary>
public readonly record struct SuppressionUse(string Name, ulong Blocks, ulong Bytes);

/// <summary>Everything one report says, gathered before anything is written, so that a failure
/// half way leaves no partial output (the C side then writes its plain report).</summary>
public sealed unsafe class ReportBuilder
{
    private ReportBuilder(int pid, string command, string? jsonPath, ReportFlags flags)
    {
        Pid = pid;
        Command = command;
        JsonPath = jsonPath;
        Flags = flags;
    }

    public int Pid { get; }
    public string Command { get; }
    public string? JsonPath { get; }
    public ReportFlags Flags { get; }
    public bool HasLeaks { get; private set; }
    public ulong[] Blocks { get; } = new ulong[4];
    public ulong[] Bytes { get; } = new ulong[4];
    /// <summary>Kinds whose records are listed: bit (1 &lt;&lt; kind).</summary>
    public uint ShowKinds { get; private set; }
    /// <summary>A valgrind suppression block after each record listed (--gen-suppressions).</summary>
    public bool GenSuppressions { get; private set; }
    /// <summary>Suppressions were given: the summary says what they suppressed, even nothing.</summary>
    public bool SuppressionsInUse { get; private set; }
    public ulong SuppressedBlocks { get; private set; }
    public ulong SuppressedBytes { get; private set; }
    /// <summary>The suppressions that matched a record, in the order they were given.</summary>
    public List<SuppressionUse> SuppressionsUsed { get; } = new();
    public List<SymbolizedRecord> Records { get; } = new();
    public ulong ScannedRootBytes { get; private set; }
    public ulong ThreadsStopped { get; private set; }
    public double ScanMilliseconds { get; private set; }
    /// <summary>The heap census, when the request asked for one (INVISIBLE_REPORT_CENSUS).</summary>
    public CensusResult? Census { get; private set; }
    /// <summary>The allocation profile, when the process is profiled (INVISIBLE_REPORT_PROFILE).</summary>
    public ProfileReport? Profile { get; private set; }

    public static ReportBuilder Build(QueryApi* api, ReportRequest* request)
    {
        string command = request->Command == null ? "" : Marshal.PtrToStringUTF8((nint)request->Command) ?? "";
        string? json = request->JsonPath == null ? null : Marshal.PtrToStringUTF8((nint)request->JsonPath);
        var report = new ReportBuilder(request->Pid, command, json, request->Flags);
        string[] allocFns = CensusBuilder.AllocFns(request);
        if ((request->Flags & ReportFlags.Census) != 0)
        {
            bool before = (request->Flags & ReportFlags.HeapBefore) != 0;
            GlibcHeapWalk.Snapshot? snapshot = before && request->StructSize >= (uint)sizeof(ReportRequest) && request->HeapCopyPid > 0
                ? new GlibcHeapWalk.Snapshot(request->HeapCopyPid, request->HeapUordblks, request->HeapHblkhd, request->HeapHblks)
                : null;
            if (before && snapshot is null && request->StructSize >= (uint)sizeof(ReportRequest) && request->HeapInProgram != 0 &&
                SessionHeap.LoadedLate)
            {
                // in the program itself (a session started the runtime here: libinvisible.so's report_here), which runs
                // on: the heap is walked and typed in a copy frozen now, against the copy taken before the runtime came
                SessionHeap.TakeBaseline();
                bool frozen = SessionHeap.Freeze(out GlibcHeapWalk.Snapshot now);
                try
                {
                    report.Census = CensusBuilder.Build(api, allocFns, includePreexisting: true, heapSnapshot: frozen ? now : null, inSession: true);
                }
                finally
                {
                    if (frozen) SessionHeap.Thaw(now);
                }
            }
            else report.Census = CensusBuilder.Build(api, allocFns, includePreexisting: before, heapSnapshot: snapshot);
        }
        ProcessSymbolizer? profileSymbolizer = null;
        try
        {
            if ((request->Flags & ReportFlags.Profile) != 0)
            {
                profileSymbolizer = ProcessSymbolizer.ForCurrentProcess();
                ProcessSymbolizer s = profileSymbolizer;
                report.Profile = ProfileReport.Read(api, (pcs, depth) => SymbolizeTrace(s, pcs, depth));
            }
        }
        finally
        {
            profileSymbolizer?.Dispose();
        }
        LeakSummary* leaks = request->Leaks;
        if (leaks == null)
            return report;
        report.HasLeaks = true;
        bool extended = request->StructSize >= ReportRequest.SizeWithSuppressions;
        report.ShowKinds = extended ? request->ShowKinds
            : (1u << (int)LeakKind.DefinitelyLost) | (1u << (int)LeakKind.IndirectlyLost) | (1u << (int)LeakKind.PossiblyLost) |
              ((request->Flags & ReportFlags.ShowReachable) != 0 ? 1u << (int)LeakKind.StillReachable : 0);
        report.GenSuppressions = extended && request->GenSuppressions != 0;
        List<Suppression>? suppressions = extended && request->Suppressions != null && request->SuppressedBy != null
            ? Suppressions.Read(request->Suppressions) : null;
        report.SuppressionsInUse = suppressions is not null;
        for (int k = 0; k < 4; k++)
        {
            report.Blocks[k] = leaks->Blocks[k];
            report.Bytes[k] = leaks->Bytes[k];
        }
        report.ScannedRootBytes = leaks->ScannedRootBytes;
        report.ThreadsStopped = leaks->ThreadsStopped;
        report.ScanMilliseconds = leaks->ScanNanoseconds / 1e6;
        using var symbolizer = ProcessSymbolizer.ForCurrentProcess();
        var pcs = new ulong[64];
        var progress = new ProgressLine((request->Flags & ReportFlags.Progress) != 0);
        for (ulong i = 0; i < leaks->RecordCount; i++)
        {
            progress.Show(i, leaks->RecordCount);
            LeakRecord record = leaks->Records[i];
            int depth;
            fixed (ulong* p = pcs)
                depth = api->TraceFrames(record.TraceId, p, pcs.Length);
            var symbolized = new SymbolizedRecord(record, SymbolizeTrace(symbolizer, pcs, depth));
            symbolized.Type = TypeOfRecord(api, allocFns, record);
            if (suppressions is not null)
            {
                symbolized.SuppressedBy = Suppressions.Match(suppressions, record.Kind, symbolized.Frames);
                request->SuppressedBy[i] = (uint)(symbolized.SuppressedBy + 1);
            }
            report.Records.Add(symbolized);
        }
        progress.Erase();
        if (suppressions is not null)
            report.CountSuppressed(suppressions);
        return report;
    }

    /// <summary>Take the suppressed records out of the kind totals, and total each suppression's matches.</summary>
    private void CountSuppressed(List<Suppression> suppressions)
    {
        var blocks = new ulong[suppressions.Count];
        var bytes = new ulong[suppressions.Count];
        foreach (SymbolizedRecord r in Records)
        {
            if (r.SuppressedBy < 0) continue;
            int kind = (int)r.Record.Kind;
            Blocks[kind] -= r.Record.Blocks;
            Bytes[kind] -= r.Record.Bytes;
            SuppressedBlocks += r.Record.Blocks;
            SuppressedBytes += r.Record.Bytes;
            blocks[r.SuppressedBy] += r.Record.Blocks;
            bytes[r.SuppressedBy] += r.Record.Bytes;
        }
        for (int i = 0; i < suppressions.Count; i++)
            if (blocks[i] > 0)
                SuppressionsUsed.Add(new SuppressionUse(suppressions[i].Name, blocks[i], bytes[i]));
    }

    /// <summary>Is this record listed (its kind shown, not suppressed)?</summary>
    public bool IsListed(SymbolizedRecord r) => r.SuppressedBy < 0 && (ShowKinds & (1u << (int)r.Record.Kind)) != 0;

    /// <summary>The record's type: its example block's (size and vtable); null when inference fails, so a
    /// problem with one site never loses the leak report.</summary>
    private static string? TypeOfRecord(QueryApi* api, string[] allocFns, LeakRecord record)
    {
        try
        {
            BlockInfo block;
            ulong size = api->FindBlock(record.ExampleBlock, &block) != 0 ? block.Size : (record.Blocks > 0 ? record.Bytes / record.Blocks : 0);
            return CensusBuilder.TypeOfBlock(api, allocFns, record.TraceId, record.ExampleBlock, size);
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>Frames of one trace, without our own frames (the main wrapper) and without the
    /// C start-up code below <c>main</c>, which every trace shares.</summary>
    private static SourceFrame[] SymbolizeTrace(ProcessSymbolizer symbolizer, ulong[] pcs, int depth)
    {
        var frames = new List<SourceFrame>(depth);
        for (int f = 0; f < depth; f++)
        {
            IReadOnlyList<SourceFrame> symbolized = symbolizer.Symbolize(pcs[f], isReturnAddress: true);
            bool reachedMain = false;
            foreach (SourceFrame frame in symbolized)
            {
                if (frame.Module.EndsWith("/libinvisible.so", StringComparison.Ordinal))
                    continue;
                frames.Add(frame);
                reachedMain |= frame.Function == "main";
            }
            if (reachedMain)
                break;
        }
        return frames.ToArray();
    }

    /// <summary>Write the text and the JSON file. Returns 0, or the errno of a JSON file that could not be
    /// written (whole or not at all: <see cref="ReportFile"/>); the text is written either way.</summary>
    public int Write(QueryApi* api, ReportRequest* request)
    {
        string text = (Flags & ReportFlags.Leaks) != 0 && HasLeaks ? TextReportWriter.Format(this) : "";
        if (Census is not null)
            text += CensusWriters.Text(Census, Pid);
        if (Profile is not null && (Flags & ReportFlags.AtExit) != 0)
            text += Profile.FormatText(Pid);
        byte[]? json = JsonPath is null ? null : JsonReportWriter.Format(this);
        int jsonError = json is null ? 0 : ReportFile.WriteWhole(JsonPath!, Pid, json);
        if (text.Length > 0)
        {
            // To the request's descriptor: the saved stderr or --log (the same one write_report uses), or the
            // attach connection's buffer when the census was asked for by `invisible census PID`.
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            if (request->ReportFd >= 0)
                Descriptor.WriteAll(request->ReportFd, bytes);
            else
                fixed (byte* p = bytes)
                    api->WriteReport(p, (ulong)bytes.Length);
        }
        return jsonError;
    }
}
