namespace Invisible.Abi;

/// <summary>Placeholder so the project compiles before the metamodel lands.</summary>
internal static class AbiInfo
{
    internal const string LibDw = "libdw.so.1";
}
