using System;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Ffi;
using Invisible.Abi.SiteTypes;

namespace Invisible.DwarfPython;

/// <summary>
/// A heap block made by <c>new Derived</c> typed as <c>Derived</c>, whatever type its allocation site returned
/// (<c>Shape *make_shape()</c>): a polymorphic object's first word is its vptr (Itanium C++ ABI: the primary vtable
/// pointer sits at offset 0 of the complete object), and the vptr points past the offset-to-top and typeinfo words
/// of a <c>_ZTV</c> symbol that names the class. The census types such blocks the same way
/// (<see cref="SiteTypeResolver.VtableClass"/>); this gives <c>process.heap.block</c> and
/// <c>process.heap.objects</c> the class's DWARF type as well.
/// </summary>
internal static class CxxHeap
{
    /// <summary>The dynamic class of the block at <paramref name="start"/> of <paramref name="size"/> bytes: its
    /// qualified name (<c>shapes::Circle</c>) and DWARF type; false when its first word is not a vptr.</summary>
    public static bool TryDynamicClass(nint start, ulong size, out string? name, out CType? type)
    {
        name = null;
        type = null;
        if (size < 8 || !SafeMemory.TryReadPointer(start, out nint vptr) || vptr == 0 || (vptr & 7) != 0) return false;
        DwarfModule? m = NativeLibraries.Image.ModuleAt((ulong)vptr);
        if (m == null) return false;
        ElfSymbol? sym = m.SymbolAt((ulong)vptr - m.Bias);
        if (sym is not { IsFunction: false } s || (ulong)vptr - m.Bias < s.Address + 16) return false;
        name = SiteTypeResolver.DemangleVtable(s.Name);
        if (name == null) return false;
        type = m.HasDwarf ? (name.Contains("::", StringComparison.Ordinal) && m.HasCxx ? m.FindQualifiedType(name) : m.FindType("class " + name) ?? m.FindType("struct " + name)) : null;
        if (type != null && type.Size > 0 && (ulong)type.Size > size) type = null; // not the complete object: keep the site's type
        return type != null;
    }
}
