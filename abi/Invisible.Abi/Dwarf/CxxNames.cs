using System;
using System.Collections.Generic;
using Invisible.Abi.Native;

namespace Invisible.Abi.Dwarf;

/// <summary>What a qualified C++ name denotes.</summary>
public enum CxxEntityKind : byte { Namespace, Type, Function, Variable }

/// <summary>One entity under a qualified name (<c>shapes::Circle</c>, <c>shapes::sum_ids</c>, <c>text::greeting</c>).</summary>
public readonly struct CxxEntity
{
    public CxxEntity(ulong die, CxxEntityKind kind, bool isDeclaration) { Die = die; Kind = kind; IsDeclaration = isDeclaration; }
    public ulong Die { get; }
    public CxxEntityKind Kind { get; }
    public bool IsDeclaration { get; }
}

/// <summary>
/// Qualified names of a module's C++ units: every namespace, and the types, functions and variables declared in
/// namespaces and classes, under <c>ns::Class::name</c> as gdb spells them. Entities in namespaces are declarations in
/// gcc's DWARF (the definitions sit at the unit's top level, tied back by DW_AT_specification); their linkage name finds
/// the code or data. Built on first use, only from units whose language is C++ (C modules never pay for it).
/// </summary>
public sealed class CxxNames
{
    private readonly Dictionary<string, List<CxxEntity>> _byName;
    private readonly Dictionary<ulong, string> _qualified;

    private CxxNames(Dictionary<string, List<CxxEntity>> byName, Dictionary<ulong, string> qualified)
    {
        _byName = byName;
        _qualified = qualified;
    }

    /// <summary>True when some C++ unit of the module declares this namespace.</summary>
    public bool IsNamespace(string qualified)
    {
        if (!_byName.TryGetValue(qualified, out List<CxxEntity>? es)) return false;
        foreach (CxxEntity e in es) if (e.Kind == CxxEntityKind.Namespace) return true;
        return false;
    }

    /// <summary>Entities of that qualified name (every unit's copy).</summary>
    public IReadOnlyList<CxxEntity> Find(string qualified) =>
        _byName.TryGetValue(qualified, out List<CxxEntity>? es) ? es : Array.Empty<CxxEntity>();

    /// <summary>The qualified name of a type DIE declared inside a namespace or class (<c>shapes::Circle</c>); null
    /// for a top-level one or a C unit's.</summary>
    public string? QualifiedNameOf(ulong die) => _qualified.TryGetValue(die, out string? q) ? q : null;

    internal static bool IsCxxLanguage(int lang) => lang is 0x04 or 0x19 or 0x1a or 0x21 or 0x2a or 0x2b;

    internal static unsafe CxxNames Build(DwarfModule m)
    {
        var byName = new Dictionary<string, List<CxxEntity>>(StringComparer.Ordinal);
        var qualified = new Dictionary<ulong, string>();
        IReadOnlyList<CompileUnit> units = m.UnitsNoLock();
        for (int u = 0; u < units.Count; u++)
        {
            if (!IsCxxLanguage(units[u].Language)) continue;
            DwarfDie cu;
            if (LibDw.dwarf_offdie(m.DwH, units[u].DieOffset, &cu) == null) continue;
            Walk(m, &cu, "", byName, qualified, 0);
        }
        return new CxxNames(byName, qualified);
    }

    private static unsafe void Walk(DwarfModule m, DwarfDie* scope, string prefix, Dictionary<string, List<CxxEntity>> byName,
        Dictionary<ulong, string> qualified, int depth)
    {
        DwarfDie child;
        if (depth > 32 || LibDw.dwarf_child(scope, &child) != 0) return;
        do
        {
            int tag = LibDw.dwarf_tag(&child);
            CxxEntityKind kind;
            bool recurse = false;
            switch (tag)
            {
                case Dw.TagNamespace: kind = CxxEntityKind.Namespace; recurse = true; break;
                case Dw.TagStructureType: case Dw.TagClassType: case Dw.TagUnionType:
                    kind = CxxEntityKind.Type; recurse = true; break;
                case Dw.TagEnumerationType: case Dw.TagTypedef: kind = CxxEntityKind.Type; break;
                case Dw.TagSubprogram: kind = CxxEntityKind.Function; break;
                case Dw.TagVariable: kind = CxxEntityKind.Variable; break;
                default: continue;
            }
            string? name = m.Name(&child);
            if (name == null)
            {
                if (tag == Dw.TagNamespace) Walk(m, &child, prefix.Length == 0 ? "(anonymous namespace)::" : prefix + "(anonymous namespace)::", byName, qualified, depth + 1);
                continue;
            }
            // top-level functions and variables of the unit are C's business (the flat index): only scoped ones here,
            // except namespaces and types, whose top-level names start the chains
            if (prefix.Length == 0 && kind is CxxEntityKind.Function or CxxEntityKind.Variable) continue;
            // class members (methods, static members) are reached through the class (CxxClassInfo)
            if (kind is CxxEntityKind.Function or CxxEntityKind.Variable && IsClassScope(scope)) continue;
            string q = prefix + name;
            ulong off = LibDw.dwarf_dieoffset(&child);
            if (!byName.TryGetValue(q, out List<CxxEntity>? list)) byName[q] = list = new List<CxxEntity>(1);
            bool decl = LibDw.dwarf_hasattr(&child, Dw.AtDeclaration) != 0;
            if (kind != CxxEntityKind.Namespace || list.Count == 0) list.Add(new CxxEntity(off, kind, decl));
            if (kind == CxxEntityKind.Type && prefix.Length > 0) qualified[off] = q;
            if (recurse) Walk(m, &child, q + "::", byName, qualified, depth + 1);
        } while (LibDw.dwarf_siblingof(&child, &child) == 0);
    }

    private static unsafe bool IsClassScope(DwarfDie* scope)
    {
        int t = LibDw.dwarf_tag(scope);
        return t is Dw.TagStructureType or Dw.TagClassType or Dw.TagUnionType;
    }
}

public sealed unsafe partial class DwarfModule
{
    private CxxNames? _cxxNames;

    /// <summary>Qualified C++ names (<see cref="CxxNames"/>), built on first use.</summary>
    public CxxNames CxxNames
    {
        get
        {
            lock (Gate)
            {
                CheckAlive();
                return _cxxNames ??= CxxNames.Build(this);
            }
        }
    }

    /// <summary>True when some unit of the module is C++.</summary>
    public bool HasCxx
    {
        get
        {
            IReadOnlyList<CompileUnit> us = Units;
            for (int i = 0; i < us.Count; i++) if (CxxNames.IsCxxLanguage(us[i].Language)) return true;
            return false;
        }
    }

    /// <summary>A type by qualified C++ name (<c>shapes::Circle</c>), the complete definition first.</summary>
    public CType? FindQualifiedType(string qualified)
    {
        CType? decl = null;
        foreach (CxxEntity e in CxxNames.Find(qualified))
        {
            if (e.Kind != CxxEntityKind.Type) continue;
            CType t = TypeAtOffset(e.Die);
            if (!e.IsDeclaration) return t;
            decl ??= t;
        }
        return decl;
    }
}
