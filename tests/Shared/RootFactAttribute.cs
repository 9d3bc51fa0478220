using System.Runtime.InteropServices;
using Xunit;

namespace Invisible.Tests.Shared;

/// <summary>A test that needs root (to run processes as other users, to change a process's credentials).
/// Without root it is reported as skipped, with this reason, in the totals.</summary>
public sealed partial class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (geteuid() != 0)
            Skip = "needs root: runs processes as another user (uid 65534)";
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
