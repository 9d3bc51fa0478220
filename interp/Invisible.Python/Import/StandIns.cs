using System;
using System.Collections.Generic;
using Invisible.Python.Modules;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Importing;

/// <summary>
/// Transitional (issue 12): our stand-ins that still serve a name of CPython's <c>Lib/</c>, each only until the
/// C-level modules the real one needs exist. This list is the one place they are named; it only shrinks, and when it
/// is empty the stand-ins (this file, the C# ones below and <c>Lib/</c>'s Python ones listed here) are gone.
/// <para>The Python stand-ins are embedded <c>.py</c> files (<see cref="EmbeddedLib"/>), found at their
/// <c>sys.path</c> entry before <c>/usr/lib/python3.11</c>; the C# stand-ins are served at that same entry (they are
/// not built-in modules: CPython's are Python files).</para>
/// </summary>
public static class StandIns
{
    /// <summary>Lib module served by an embedded Python stand-in -> what the real one waits for.</summary>
    public static readonly IReadOnlyDictionary<string, string> Python = new Dictionary<string, string>(StringComparer.Ordinal)
    {
    };

    /// <summary>Lib module served by a C# stand-in -> what the real one waits for.</summary>
    public static readonly IReadOnlyDictionary<string, string> CSharp = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["json"] = "a C-level _json: the pure encoder lacks the C one's RecursionError texts (\"while encoding a JSON object\")",
    };

    /// <summary>The C# stand-in module <paramref name="fullname"/> for <paramref name="interp"/>, if there is one
    /// (asked at <see cref="EmbeddedLib.PathEntry"/>'s place in <c>sys.path</c>).</summary>
    public static PyModule? CreateCSharp(InterpreterState interp, string fullname)
    {
        switch (fullname)
        {
            case "json": return JsonModule.Create();
        }
        return null;
    }
}
