using System;
using System.Collections.Generic;
using Invisible.Abi.Native;

namespace Invisible.Abi.Dwarf;

/// <summary>A direct base class (DW_TAG_inheritance): where its subobject starts inside the derived object.</summary>
public readonly struct BaseClass
{
    public BaseClass(StructType type, long offset, bool isVirtual) { Type = type; Offset = offset; IsVirtual = isVirtual; }
    public StructType Type { get; }
    /// <summary>Byte offset of the base subobject; meaningless for a virtual base (found through the vtable).</summary>
    public long Offset { get; }
    public bool IsVirtual { get; }
}

/// <summary>A member function as its class declares it (DW_TAG_subprogram child of the class). The declaration
/// carries the signature (with the artificial <c>this</c> first for non-static methods) and the linkage name that
/// finds the code.</summary>
public sealed class CxxMethod
{
    internal CxxMethod(StructType owner, string name, string? linkageName, Function declaration, bool isStatic, long vtableSlot, bool isArtificial)
    {
        Owner = owner; Name = name; LinkageName = linkageName; Declaration = declaration; IsStatic = isStatic; VtableSlot = vtableSlot;
        IsArtificial = isArtificial;
    }
    public StructType Owner { get; }
    public string Name { get; }
    public string? LinkageName { get; }
    public Function Declaration { get; }
    public bool IsStatic { get; }
    /// <summary>Index in the vtable (DW_AT_vtable_elem_location) of a virtual method; -1 otherwise.</summary>
    public long VtableSlot { get; }
    public bool IsVirtual => VtableSlot >= 0;
    /// <summary>Made by the compiler (implicit copy constructor, ...).</summary>
    public bool IsArtificial { get; }
    /// <summary>Constructor or destructor: the declaration's linkage name is the unified C4/D4 one, with no code.</summary>
    public bool IsStructor => Name == Owner.Tag || Name.StartsWith('~');
}

/// <summary>A static data member (DWARF 5: DW_TAG_variable in the class; DWARF 4: a DW_TAG_member declaration).</summary>
public sealed class CxxStaticMember
{
    internal CxxStaticMember(string name, string? linkageName, CType type, int memberIndex)
    {
        Name = name; LinkageName = linkageName; Type = type; MemberIndex = memberIndex;
    }
    /// <summary>How many data members the class declares before this one (where gdb prints it).</summary>
    public int MemberIndex { get; }
    public string Name { get; }
    public string? LinkageName { get; }
    public CType Type { get; }
}

/// <summary>The C++ side of a class: bases, methods, static members. Empty for a C struct.</summary>
public sealed class CxxClassInfo
{
    internal CxxClassInfo(BaseClass[] bases, CxxMethod[] methods, CxxStaticMember[] statics)
    {
        Bases = bases; Methods = methods; Statics = statics;
    }
    public IReadOnlyList<BaseClass> Bases { get; }
    public IReadOnlyList<CxxMethod> Methods { get; }
    public IReadOnlyList<CxxStaticMember> Statics { get; }
    public bool IsEmpty => Bases.Count == 0 && Methods.Count == 0 && Statics.Count == 0;
}

public sealed unsafe partial class DwarfModule
{
    private const int TagInheritance = 0x1c;
    private const uint AtArtificial = 0x34, AtVirtuality = 0x4c, AtVtableElemLocation = 0x4d, AtObjectPointer = 0x64;

    internal CxxClassInfo LoadClassInfo(StructType owner)
    {
        lock (Gate)
        {
            CheckAlive();
            DwarfDie die, child;
            var bases = new List<BaseClass>();
            var methods = new List<CxxMethod>();
            var statics = new List<CxxStaticMember>();
            int dataMembers = 0;
            if (DwH != 0 && LibDw.dwarf_offdie(DwH, owner.DieOffset, &die) != null && LibDw.dwarf_child(&die, &child) == 0)
            {
                do
                {
                    int tag = LibDw.dwarf_tag(&child);
                    if (tag == Dw.TagMember && !Flag(&child, Dw.AtDeclaration)) dataMembers++;
                    if (tag == TagInheritance)
                    {
                        if (TypeOf(&child).Unqualified is not StructType bt) continue;
                        bool isVirtual = UData(&child, AtVirtuality, out ulong v) && v != 0;
                        bases.Add(new BaseClass(bt, isVirtual ? -1 : MemberLocation(&child), isVirtual));
                    }
                    else if (tag == Dw.TagSubprogram)
                    {
                        string? name = Name(&child);
                        if (name == null) continue;
                        Function? decl = FunctionAtDie(LibDw.dwarf_dieoffset(&child));
                        if (decl == null) continue;
                        bool isStatic = LibDw.dwarf_hasattr(&child, AtObjectPointer) == 0 && !FirstParameterArtificial(&child);
                        methods.Add(new CxxMethod(owner, name, AttrString(&child, Dw.AtLinkageName), decl, isStatic, VtableSlot(&child),
                            Flag(&child, AtArtificial)));
                    }
                    else if (tag == Dw.TagVariable || tag == Dw.TagMember && Flag(&child, Dw.AtDeclaration))
                    {
                        string? name = Name(&child);
                        if (name != null) statics.Add(new CxxStaticMember(name, AttrString(&child, Dw.AtLinkageName), TypeOf(&child), dataMembers));
                    }
                } while (LibDw.dwarf_siblingof(&child, &child) == 0);
            }
            return new CxxClassInfo(bases.ToArray(), methods.ToArray(), statics.ToArray());
        }
    }

    private static bool FirstParameterArtificial(DwarfDie* subprogram)
    {
        DwarfDie p;
        if (LibDw.dwarf_child(subprogram, &p) != 0) return false;
        do
        {
            if (LibDw.dwarf_tag(&p) == Dw.TagFormalParameter) return Flag(&p, AtArtificial);
        } while (LibDw.dwarf_siblingof(&p, &p) == 0);
        return false;
    }

    /// <summary>DW_AT_vtable_elem_location: gcc and clang write <c>DW_OP_constu N</c> (the slot index).</summary>
    private static long VtableSlot(DwarfDie* subprogram)
    {
        DwarfAttribute a;
        if (LibDw.dwarf_attr(subprogram, AtVtableElemLocation, &a) == null) return -1;
        DwarfBlock b;
        if (LibDw.dwarf_formblock(&a, &b) != 0 || b.Length < 2 || b.Data[0] != 0x10 /* DW_OP_constu */) return -1;
        return (long)b.OperandUleb128();
    }

    /// <summary>A variable DIE (a declaration in a namespace or class included) as a <see cref="Variable"/>.</summary>
    public Variable? VariableAtOffset(ulong dieOffset)
    {
        lock (Gate) { CheckAlive(); return DwH == 0 ? null : VariableAtDie(dieOffset, 0); }
    }

    /// <summary>DW_AT_linkage_name of a DIE (following DW_AT_specification); null when it has none.</summary>
    public string? LinkageNameAt(ulong dieOffset)
    {
        lock (Gate)
        {
            CheckAlive();
            DwarfDie die;
            if (DwH == 0 || LibDw.dwarf_offdie(DwH, dieOffset, &die) == null) return null;
            return AttrString(&die, Dw.AtLinkageName);
        }
    }
}
