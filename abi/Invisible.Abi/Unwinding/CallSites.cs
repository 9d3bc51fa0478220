using System;
using System.Collections.Generic;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Native;

namespace Invisible.Abi.Unwinding;

/// <summary>
/// DWARF call-site parameters (<c>DW_TAG_call_site_parameter</c>, GCC's <c>DW_TAG_GNU_call_site_parameter</c>): at a
/// call, the value the caller put in an argument register, as an expression over the caller's frame. That is how
/// a debugger resolves <c>DW_OP_entry_value(DW_OP_reg5)</c> ("rdi as it was on entry", gdb's <c>x@entry</c>) in the
/// callee once rdi has been clobbered: it evaluates the matching parameter's value in the caller's frame.
/// </summary>
public static unsafe class CallSites
{
    private const int TagSubprogram = 0x2e, TagLexicalBlock = 0x0b, TagInlined = 0x1d;
    private const int TagCallSite = 0x48, TagGnuCallSite = 0x4109, TagParameter = 0x49, TagGnuParameter = 0x410a;
    private const uint AtLocation = 0x02, AtLowPc = 0x11, AtCallReturnPc = 0x7d, AtCallValue = 0x7e, AtGnuCallSiteValue = 0x2111;

    /// <summary>The expression of the value passed in DWARF register <paramref name="register"/> at the call that
    /// returns to <paramref name="returnAddress"/> (a runtime address in the caller), or null when the caller's DWARF
    /// records none.</summary>
    public static LocationOp[]? ParameterValue(ProcessImage image, ulong returnAddress, int register)
    {
        DwarfModule? module = image.ModuleAt(returnAddress - 1);
        if (module is null || !module.HasDwarf) return null;
        lock (module.Gate)
        {
            if (module.Mod == 0) return null;
            ulong bias;
            DwarfDie* cu = LibDw.dwfl_module_addrdie(module.Mod, returnAddress - 1, &bias);
            if (cu == null) return null;
            ulong dwarfReturn = returnAddress - bias;
            DwarfDie* scopes = null;
            int n = LibDw.dwarf_getscopes(cu, dwarfReturn - 1, &scopes);
            if (n <= 0 || scopes == null) return null;
            try
            {
                // The outermost subprogram holding the call: its tree holds the call site (inlined bodies included).
                for (int i = n - 1; i >= 0; i--)
                {
                    if (LibDw.dwarf_tag(&scopes[i]) != TagSubprogram) continue;
                    DwarfDie site;
                    if (!FindSite(&scopes[i], dwarfReturn, &site, 0)) return null;
                    return Parameter(&site, register);
                }
                return null;
            }
            finally
            {
                LibDw.free(scopes);
            }
        }
    }

    private static bool FindSite(DwarfDie* scope, ulong dwarfReturn, DwarfDie* found, int depth)
    {
        if (depth > 32) return false;
        DwarfDie child;
        if (LibDw.dwarf_child(scope, &child) != 0) return false;
        do
        {
            int tag = LibDw.dwarf_tag(&child);
            if (tag is TagCallSite or TagGnuCallSite)
            {
                DwarfAttribute a;
                ulong pc = 0;
                // DWARF 5: DW_AT_call_return_pc; GCC's GNU extension: DW_AT_low_pc is the return address.
                if (LibDw.dwarf_attr(&child, AtCallReturnPc, &a) != null || LibDw.dwarf_attr(&child, AtLowPc, &a) != null)
                    LibDw.dwarf_formaddr(&a, &pc);
                if (pc == dwarfReturn)
                {
                    *found = child;
                    return true;
                }
            }
            else if (tag is TagLexicalBlock or TagInlined)
            {
                if (FindSite(&child, dwarfReturn, found, depth + 1)) return true;
            }
        } while (LibDw.dwarf_siblingof(&child, &child) == 0);
        return false;
    }

    private static LocationOp[]? Parameter(DwarfDie* site, int register)
    {
        DwarfDie p;
        if (LibDw.dwarf_child(site, &p) != 0) return null;
        do
        {
            int tag = LibDw.dwarf_tag(&p);
            if (tag is not (TagParameter or TagGnuParameter)) continue;
            LocationOp[]? where = Expression(&p, AtLocation);
            if (where is null || where.Length != 1) continue;
            byte op = where[0].Op;
            int reg = op >= 0x50 && op <= 0x6f ? op - 0x50 : op == 0x90 ? (int)where[0].Number : -1;
            if (reg != register) continue;
            return Expression(&p, AtCallValue) ?? Expression(&p, AtGnuCallSiteValue);
        } while (LibDw.dwarf_siblingof(&p, &p) == 0);
        return null;
    }

    private static LocationOp[]? Expression(DwarfDie* die, uint attribute)
    {
        DwarfAttribute a;
        if (LibDw.dwarf_attr(die, attribute, &a) == null) return null;
        ulong basep, s, e;
        DwarfOp* expr;
        nuint len;
        if (LibDw.dwarf_getlocations(&a, 0, &basep, &s, &e, &expr, &len) <= 0 || len == 0) return null;
        var ops = new LocationOp[(int)len];
        for (int i = 0; i < ops.Length; i++) ops[i] = LocationOps.Convert(&a, expr + i);
        return ops;
    }

    /// <summary>The register a <c>DW_OP_entry_value</c> operand names when its block is a single DW_OP_regN (what
    /// compilers emit), else -1 (see <see cref="LocationOps.Convert"/>).</summary>
    public static int EntryValueRegister(in LocationOp op) =>
        op.Op is 0xa3 or 0xf3 && op.Number2 != 0 ? (int)op.Number2 - 1 : -1;
}

/// <summary>libdw's <c>Dwarf_Op</c> to <see cref="LocationOp"/>. libdw gives a <c>DW_OP_entry_value</c> only its block's
/// length; the block is a sub-expression reached through <c>dwarf_getlocation_attr</c>. When it is one register
/// (DW_OP_regN / regx, what compilers emit), that register + 1 is kept in <see cref="LocationOp.Number2"/>.</summary>
internal static unsafe partial class LocationOps
{
    internal static LocationOp Convert(DwarfAttribute* attribute, DwarfOp* op)
    {
        if (op->Atom is 0xa3 or 0xf3)
        {
            DwarfAttribute block;
            DwarfOp* inner;
            nuint n;
            ulong register = 0;
            if (dwarf_getlocation_attr(attribute, op, &block) == 0 && dwarf_getlocation(&block, &inner, &n) == 0 && n == 1)
            {
                byte code = inner[0].Atom;
                if (code >= 0x50 && code <= 0x6f) register = (ulong)(code - 0x50) + 1;
                else if (code == 0x90) register = inner[0].Number + 1;
            }
            return new LocationOp(op->Atom, op->Number, register);
        }
        return new LocationOp(op->Atom, op->Number, op->Number2);
    }

    [System.Runtime.InteropServices.LibraryImport(LibDw.Lib)]
    private static partial int dwarf_getlocation_attr(DwarfAttribute* attr, DwarfOp* op, DwarfAttribute* result);

    [System.Runtime.InteropServices.LibraryImport(LibDw.Lib)]
    private static partial int dwarf_getlocation(DwarfAttribute* attr, DwarfOp** expr, nuint* exprlen);
}
