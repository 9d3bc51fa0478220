using System.IO;

namespace Invisible.Cli.Target;

/// <summary>Linux's Yama LSM: <c>/proc/sys/kernel/yama/ptrace_scope</c> decides who may ptrace whom (0 classic
/// same-uid rule, 1 only a parent or a declared tracer, 2 CAP_SYS_PTRACE only, 3 nobody).</summary>
internal static class Yama
{
    public const string ScopeFile = "/proc/sys/kernel/yama/ptrace_scope";

    /// <summary>The scope, or -1 when Yama is absent (or unreadable).</summary>
    public static int PtraceScope()
    {
        try
        {
            return int.TryParse(File.ReadAllText(ScopeFile).Trim(), out int scope) ? scope : -1;
        }
        catch (IOException) { return -1; }
        catch (System.UnauthorizedAccessException) { return -1; }
    }
}
