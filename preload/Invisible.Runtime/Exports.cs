using System;
using System.Runtime.InteropServices;
using Invisible.Abi.Query;
using Invisible.Runtime.Reporting;

namespace Invisible.Runtime;

/// <summary>The C entry points of libinvisible-runtime.so (called by libinvisible.so).</summary>
public static unsafe class Exports
{
    /// <summary>Trivial first call, made before any other export. The NativeAOT runtime starts lazily inside the
    /// first call into it and re-randomizes the stack-protector cookie while doing so: had that first export a
    /// cookie-checked frame (any stackalloc or fixed buffer, even on a path not taken), its epilogue would see a
    /// changed cookie and abort the process without a message. This one has no frame to check.</summary>
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
