using System.IO;

namespace Invisible.Python;

/// <summary>Entry point of <c>invisible python</c>: CPython-style arguments
/// (<c>script.py args</c>, <c>-c CODE</c>, none = interactive prompt). Returns the exit status.</summary>
public static class PythonMain
{
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        (stderr ?? System.Console.Error).WriteLine("invisible python: not implemented yet");
        return 2;
    }
}
