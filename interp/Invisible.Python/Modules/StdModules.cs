using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>Registers the builtin (C#-implemented) standard modules.</summary>
public static partial class StdModules
{
    public static void RegisterAll()
    {
        ModuleRegistry.RegisterBuiltin("sys", () => SysModule.Module);
    }
}
