using System.Collections.Generic;

namespace Invisible.Python;

/// <summary>
/// The interpreter's command-line options (CPython's <c>PyConfig</c> as far as we honour it): what
/// <c>invisible python</c> parses and <c>sys.flags</c>, <c>sys.path</c>, <c>sys.warnoptions</c>, <c>sys._xoptions</c> and
/// <c>sys.orig_argv</c> report. A host that embeds an interpreter leaves it at its defaults.
/// </summary>
public sealed class PythonOptions
{
    /// <summary>-E: ignore PYTHON* environment variables (PYTHONPATH, PYTHONHOME...).</summary>
    public bool IgnoreEnvironment;
    /// <summary>-I: isolated mode (implies -E, -P and -s).</summary>
    public bool Isolated;
    /// <summary>-S: do not add site-packages (no <c>site</c>).</summary>
    public bool NoSite;
    /// <summary>-s: do not add the user site directory.</summary>
    public bool NoUserSite;
    /// <summary>-P: do not prepend the script's directory (or '') to sys.path.</summary>
    public bool SafePath;
    /// <summary>-B: do not write the compiled-code cache.</summary>
    public bool DontWriteBytecode;
    /// <summary>-u: unbuffered stdout/stderr.</summary>
    public bool Unbuffered;
    /// <summary>-i: interactive prompt after the script.</summary>
    public bool Inspect;
    /// <summary>-v (count).</summary>
    public int Verbose;
    /// <summary>-O (count).</summary>
    public int Optimize;
    /// <summary>-q.</summary>
    public bool Quiet;
    /// <summary>-b (count).</summary>
    public int BytesWarning;
    /// <summary>-W arguments, in order (sys.warnoptions).</summary>
    public readonly List<string> WarnOptions = new();
    /// <summary>-X arguments, in order (sys._xoptions: "name" or "name=value").</summary>
    public readonly List<string> XOptions = new();
    /// <summary>-x: skip the script's first line (a non-Unix #! line).</summary>
    public bool SkipFirstLine;
    /// <summary>sys.executable: a program that takes CPython's command line (the <c>python3</c> entry next to the CLI);
    /// null: the process's own path (an embedded interpreter).</summary>
    public string? Executable;
    /// <summary>-X int_max_str_digits=N or PYTHONINTMAXSTRDIGITS (sys.flags.int_max_str_digits): the limit on int&lt;-&gt;str
    /// conversion of huge ints in decimal (0: unlimited); -1 when not given (CPython's default, 4300).</summary>
    public int IntMaxStrDigits = -1;
    /// <summary>The whole command line, program name first (sys.orig_argv); empty for an embedded interpreter.</summary>
    public string[] OrigArgv = System.Array.Empty<string>();

    /// <summary>The interpreter runs inside another program (an <c>invisible attach</c> session): the process's
    /// signals are the program's, so <c>signal.signal</c>, <c>alarm</c>, <c>setitimer</c>... refuse to change them.</summary>
    public bool InsideTarget;

    /// <summary>The host's writers and reader are the process's descriptors 0/1/2 (the CLI): sys.stdout.isatty()
    /// asks the descriptor, and a terminal makes stdout line-buffered. Otherwise (output captured) they are no tty.</summary>
    public bool OwnsConsole;

    public bool EffectiveIgnoreEnvironment => IgnoreEnvironment || Isolated;
    /// <summary>-X no_debug_ranges or PYTHONNODEBUGRANGES: code objects report no columns (co_positions gives None for
    /// them, so tracebacks print no carets), as CPython's config.code_debug_ranges = 0.</summary>
    public bool NoDebugRanges => XOptions.Contains("no_debug_ranges")
        || (!EffectiveIgnoreEnvironment && !string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable("PYTHONNODEBUGRANGES")));
    public bool EffectiveSafePath => SafePath || Isolated;
    public bool EffectiveNoUserSite => NoUserSite || Isolated;
}
