using System;
using System.Runtime.InteropServices;
using Invisible.Abi.Query;
using Invisible.Runtime.Reporting;

namespace Invisible.Runtime;

/// <summary>The C entry points of libinvisible-runtime.so (called by libinvisible.so).</summary>
public static unsafe class Exports
{
    /// <summary>Trivial first call: starts the NativeAOT runtime without a GS cookie (probe pitfall P1).</summary>
    [UnmanagedCallersOnly(EntryPoint = "invisible_runtime_init")]
    public static int Init() => 1;

    /// <summary>Write the requested report (text to the report descriptor, JSON to a file).
    /// Returns 0 on success; a positive errno when the text was written but the JSON file could not be
    /// (libinvisible.so says so); -1 on any other failure: then nothing has been written and the C side
    /// falls back to its plain report, so a report is never lost.</summary>
    [UnmanagedCallersOnly(EntryPoint = "invisible_runtime_report")]
    public static int Report(QueryApi* api, ReportRequest* request)
    {
        try
        {
            if (api == null || request == null || api->ApiVersion != QueryApi.Version)
                return -1;
            var report = ReportBuilder.Build(api, request);
            return report.Write(api, request);
        }
        catch (Exception)
        {
            return -1;
        }
    }
}
