using System;

namespace Invisible.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "python")
            return Invisible.Python.PythonMain.Run(args[1..]);
        Console.Error.WriteLine("invisible: usage: invisible run|python|census|attach ...");
        return 2;
    }
}
