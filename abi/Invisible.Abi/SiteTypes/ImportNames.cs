using System;
using System.Collections.Generic;
using Iced.Intel;

namespace Invisible.Abi.SiteTypes;

/// <summary>
/// Which imported function a call or jump reaches, from the ELF file's relocations: a PLT entry
/// (<c>[endbr64;] [bnd] jmp *slot(%rip)</c>) or an indirect call through a GOT slot (<c>call *memset@GOTPCREL(%rip)</c>,
/// -fno-plt), named by the JUMP_SLOT / GLOB_DAT relocation of that slot. Read from the file, so it does not depend on
/// whether the loader has bound the slot yet (lazy binding) nor on which IFUNC variant it chose
/// (<c>__memset_avx2_unaligned_erms</c>). One per loaded file; addresses are runtime addresses (file address + bias).
/// </summary>
internal sealed class ImportNames
{
    private readonly Dictionary<ulong, string> _slots;
    private readonly ulong _bias;
    private readonly Func<ulong, ulong, byte[]> _read;
    private readonly Dictionary<ulong, string?> _stubs = new();

    /// <param name="slots">GOT slot (link-time address) → imported symbol (<see cref="ElfImage.GotSlotTable"/>).</param>
    /// <param name="bias">The file's load bias.</param>
    /// <param name="read">Bytes of the code at a link-time address: from the file (the wrapper scan), or from this
    /// process's memory (the census in the program, which must not keep the file mapped: a second mapping of a
    /// library would show in /proc/PID/maps, where debuggers and tools look for where it is loaded).</param>
    internal ImportNames(Dictionary<ulong, string> slots, ulong bias, Func<ulong, ulong, byte[]> read)
    {
        _slots = slots;
        _bias = bias;
        _read = read;
    }

    private string? Slot(ulong runtimeAddress) => _slots.TryGetValue(runtimeAddress - _bias, out string? name) ? name : null;

    /// <summary>The imported function the call or jump <paramref name="ins"/> reaches, or null (a call of a function
    /// defined in the file, through a register, or anything not recognised).</summary>
    public string? Target(in Instruction ins)
    {
        if (ins.IsIPRelativeMemoryOperand && ins.FlowControl is FlowControl.IndirectCall or FlowControl.IndirectBranch)
            return Slot(ins.IPRelativeMemoryAddress);
        if (ins.Op0Kind is OpKind.NearBranch64 && ins.FlowControl is FlowControl.Call or FlowControl.UnconditionalBranch)
            return Stub(ins.NearBranchTarget);
        return null;
    }

    /// <summary>The imported function the PLT entry at runtime address <paramref name="target"/> jumps to, or null when
    /// the code there is not a PLT entry.</summary>
    public string? Stub(ulong target)
    {
        if (_stubs.TryGetValue(target, out string? known)) return known;
        string? name = null;
        byte[] code = _read(target - _bias, 16);
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(code), target);
        for (int k = 0; k < 2 && decoder.IP < target + (ulong)code.Length; k++)
        {
            decoder.Decode(out Instruction ins);
            if (ins.Mnemonic == Mnemonic.Endbr64) continue;
            if (ins.FlowControl == FlowControl.IndirectBranch && ins.IsIPRelativeMemoryOperand)
                name = Slot(ins.IPRelativeMemoryAddress);
            break;
        }
        _stubs[target] = name;
        return name;
    }

    /// <summary>Functions that return their first argument (the C library's <c>memset</c>, <c>memcpy</c>, <c>memmove</c>
    /// and their fortified forms): for the data flow, the block passed in goes on in <c>rax</c>. gcc relies on it at
    /// -O2 (<c>memset(p, 0, n); return p;</c> becomes a tail call of memset).</summary>
    public static bool ReturnsFirstArgument(string? name) => name is not null && Identity.Contains(name);

    private static readonly HashSet<string> Identity = new(StringComparer.Ordinal)
    {
        "memset", "memcpy", "memmove", "__memset_chk", "__memcpy_chk", "__memmove_chk",
        "strcpy", "strcat", "strncpy", "strncat", "__strcpy_chk", "__strcat_chk",
    };
}
