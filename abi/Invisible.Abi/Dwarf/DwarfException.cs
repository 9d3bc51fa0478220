using System;

namespace Invisible.Abi.Dwarf;

/// <summary>A module's ELF or DWARF could not be read. The message names the file and the libelf/libdw reason.</summary>
public sealed class DwarfException : Exception
{
    public DwarfException(string message) : base(message) { }
    public DwarfException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>An ELF symbol (fallback for modules without DWARF). Address is a DWARF/file address (before the load bias).</summary>
public readonly struct ElfSymbol
{
    public ElfSymbol(string name, ulong address, ulong size, bool isFunction, bool isIndirect = false)
    {
        Name = name; Address = address; Size = size; IsFunction = isFunction; IsIndirect = isIndirect;
    }
    public string Name { get; }
    public ulong Address { get; }
    public ulong Size { get; }
    public bool IsFunction { get; }
    /// <summary>STT_GNU_IFUNC: <see cref="Address"/> is the resolver's, which returns the implementation's address.</summary>
    public bool IsIndirect { get; }
    public override string ToString() => Name;
}
