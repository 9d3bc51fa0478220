using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace Invisible.Cli.Report;

/// <summary>
/// pprof's profile.proto (github.com/google/pprof/proto/profile.proto), gzipped, as Go's heap profile writer
/// lays it out: sample types alloc_objects/count, alloc_space/bytes, inuse_objects/count, inuse_space/bytes (the
/// last is what <c>go tool pprof</c> shows by default); one location per pc, its inlined frames as extra lines
/// (innermost first, the caller last); one function per (name, file); one mapping per module with its build id.
/// Without a profile in the report, the leak records are the samples (allocated = live at exit).
/// </summary>
public static class PprofFormat
{
    // Field numbers of profile.proto.
    private const int ProfileSampleType = 1, ProfileSample = 2, ProfileMapping = 3, ProfileLocation = 4,
        ProfileFunction = 5, ProfileStringTable = 6, ProfilePeriodType = 11, ProfilePeriod = 12;
    private const int ValueTypeType = 1, ValueTypeUnit = 2;
    private const int SampleLocationId = 1, SampleValue = 2;
    private const int MappingId = 1, MappingMemoryStart = 2, MappingMemoryLimit = 3, MappingFilename = 5,
        MappingBuildId = 6, MappingHasFunctions = 7, MappingHasFilenames = 8, MappingHasLineNumbers = 9,
        MappingHasInlineFrames = 10;
    private const int LocationId = 1, LocationMappingId = 2, LocationAddress = 3, LocationLine = 4;
    private const int LineFunctionId = 1, LineLine = 2;
    private const int FunctionId = 1, FunctionName = 2, FunctionSystemName = 3, FunctionFilename = 4;

    private sealed class Mapping
    {
        public long Id;
        public ulong Start = ulong.MaxValue, Limit;
        public string File = "", BuildId = "";
        public bool HasFunctions, HasFiles, HasLines, HasInline;
    }

    public static byte[] Write(ReportDocument report)
    {
        var strings = new List<string> { "" };
        var stringIndex = new Dictionary<string, long>(StringComparer.Ordinal) { [""] = 0 };
        long Str(string s)
        {
            if (stringIndex.TryGetValue(s, out long i)) return i;
            i = strings.Count;
            strings.Add(s);
            stringIndex[s] = i;
            return i;
        }

        var buildIds = new BuildIds();
        var mappings = new Dictionary<string, Mapping>(StringComparer.Ordinal);
        var mappingOrder = new List<Mapping>();
        var functions = new Dictionary<(string, string), long>();
        var functionMessages = new List<ProtoWriter>();
        var locations = new Dictionary<(ulong, string, string), long>();
        var locationMessages = new List<ProtoWriter>();
        var samples = new List<ProtoWriter>();

        long FunctionOf(ReportFrame f)
        {
            string name = f.Function ?? f.DisplayName;
            string file = f.File ?? "";
            if (functions.TryGetValue((name, file), out long id)) return id;
            id = functions.Count + 1;
            functions[(name, file)] = id;
            var m = new ProtoWriter();
            m.Int(FunctionId, id);
            m.Int(FunctionName, Str(name));
            m.Int(FunctionSystemName, Str(name));
            m.Int(FunctionFilename, Str(file));
            functionMessages.Add(m);
            return id;
        }

        Mapping MappingOf(ReportFrame f)
        {
            if (!mappings.TryGetValue(f.Module, out Mapping? m))
            {
                m = new Mapping { Id = mappingOrder.Count + 1, File = f.Module, BuildId = buildIds.Of(f) };
                mappings[f.Module] = m;
                mappingOrder.Add(m);
            }
            m.Start = Math.Min(m.Start, f.Pc);
            m.Limit = Math.Max(m.Limit, f.Pc + 1);
            m.HasFunctions |= f.Function is not null;
            m.HasFiles |= f.File is not null;
            m.HasLines |= f.Line > 0;
            m.HasInline |= f.Inlined;
            return m;
        }

        var locationIds = new List<long>();
        foreach (StackSample s in report.Samples())
        {
            locationIds.Clear();
            ReportFrame[] trace = s.Trace;
            for (int i = 0; i < trace.Length;)
            {
                // Frames of one pc: the inlined ones (innermost first), then the function they are inlined into.
                int end = i + 1;
                while (end < trace.Length && trace[end - 1].Inlined && trace[end].Pc == trace[i].Pc) end++;
                ReportFrame outer = trace[end - 1];
                var key = (outer.Pc, outer.Module, KeyOf(trace, i, end));
                if (!locations.TryGetValue(key, out long locId))
                {
                    locId = locations.Count + 1;
                    locations[key] = locId;
                    var loc = new ProtoWriter();
                    loc.Int(LocationId, locId);
                    Mapping map = MappingOf(outer);
                    for (int k = i; k < end - 1; k++) MappingOf(trace[k]);
                    loc.Int(LocationMappingId, map.Id);
                    loc.Int(LocationAddress, (long)outer.Pc);
                    for (int k = i; k < end; k++)
                    {
                        var line = new ProtoWriter();
                        line.Int(LineFunctionId, FunctionOf(trace[k]));
                        line.Int(LineLine, trace[k].Line);
                        loc.Message(LocationLine, line);
                    }
                    locationMessages.Add(loc);
                }
                locationIds.Add(locId);
                i = end;
            }
            var sample = new ProtoWriter();
            sample.Packed(SampleLocationId, locationIds.ToArray());
            sample.Packed(SampleValue, new[] { s.Allocations, s.Bytes, s.LiveBlocks, s.LiveBytes });
            samples.Add(sample);
        }

        var profile = new ProtoWriter();
        foreach ((string type, string unit) in new[] { ("alloc_objects", "count"), ("alloc_space", "bytes"),
                                                       ("inuse_objects", "count"), ("inuse_space", "bytes") })
        {
            var vt = new ProtoWriter();
            vt.Int(ValueTypeType, Str(type));
            vt.Int(ValueTypeUnit, Str(unit));
            profile.Message(ProfileSampleType, vt);
        }
        foreach (ProtoWriter s in samples) profile.Message(ProfileSample, s);
        foreach (Mapping m in mappingOrder)
        {
            var w = new ProtoWriter();
            w.Int(MappingId, m.Id);
            w.Int(MappingMemoryStart, (long)m.Start);
            w.Int(MappingMemoryLimit, (long)m.Limit);
            w.Int(MappingFilename, Str(m.File));
            w.Int(MappingBuildId, Str(m.BuildId));
            w.Bool(MappingHasFunctions, m.HasFunctions);
            w.Bool(MappingHasFilenames, m.HasFiles);
            w.Bool(MappingHasLineNumbers, m.HasLines);
            w.Bool(MappingHasInlineFrames, m.HasInline);
            profile.Message(ProfileMapping, w);
        }
        foreach (ProtoWriter l in locationMessages) profile.Message(ProfileLocation, l);
        foreach (ProtoWriter f in functionMessages) profile.Message(ProfileFunction, f);
        var period = new ProtoWriter();
        period.Int(ValueTypeType, Str("space"));
        period.Int(ValueTypeUnit, Str("bytes"));
        foreach (string s in strings) profile.String(ProfileStringTable, s);
        profile.Message(ProfilePeriodType, period);
        profile.Int(ProfilePeriod, 1);

        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true))
            z.Write(profile.ToArray());
        return gz.ToArray();
    }

    private static string KeyOf(ReportFrame[] trace, int start, int end)
    {
        var sb = new System.Text.StringBuilder();
        for (int k = start; k < end; k++)
            sb.Append(trace[k].Function).Append('\u0001').Append(trace[k].File).Append('\u0001').Append(trace[k].Line).Append('\u0002');
        return sb.ToString();
    }
}
