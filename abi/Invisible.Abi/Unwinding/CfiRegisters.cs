using System;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Ffi;
using Invisible.Abi.Native;

namespace Invisible.Abi.Unwinding;

/// <summary>The x86-64 registers known in one frame, in DWARF numbering (0 rax .. 7 rsp, 8..15 r8..r15, 16 rip).
/// A register is either known (its value in that frame) or unknown: clobbered by a call, or never captured.</summary>
public readonly struct FrameRegisters
{
    public const int Count = 17;
    public const int Rsp = 7, Rip = 16;

    private readonly ulong[]? _values;
    private readonly uint _known;

    private FrameRegisters(ulong[] values, uint known) { _values = values; _known = known; }

    /// <summary>Every register known (a thread interrupted by a signal: its saved context).</summary>
    public static FrameRegisters All(ReadOnlySpan<ulong> values)
    {
        var v = new ulong[Count];
        values.Slice(0, Math.Min(values.Length, Count)).CopyTo(v);
        return new FrameRegisters(v, (1u << Count) - 1);
    }

    /// <summary>Nothing known but the stack pointer (0 = unknown too) and the pc.</summary>
    public static FrameRegisters StackOnly(ulong sp, ulong pc)
    {
        var v = new ulong[Count];
        uint known = 0;
        if (sp != 0) { v[Rsp] = sp; known |= 1u << Rsp; }
        if (pc != 0) { v[Rip] = pc; known |= 1u << Rip; }
        return new FrameRegisters(v, known);
    }

    public bool IsKnown(int register) => (uint)register < Count && (_known & (1u << register)) != 0;

    /// <summary>How many registers are known (for tests and diagnostics).</summary>
    public int KnownCount => System.Numerics.BitOperations.PopCount(_known);

    public bool TryGet(int register, out ulong value)
    {
        if (IsKnown(register) && _values != null) { value = _values[register]; return true; }
        value = 0;
        return false;
    }

    internal static FrameRegisters From(ulong[] values, uint known) => new(values, known);
}

/// <summary>
/// Register recovery through call frame information (<c>.eh_frame</c>, else <c>.debug_frame</c>), the way a debugger
/// builds an outer frame's registers: from a frame's registers and its pc, the caller's registers at the call are
/// rsp = the frame's CFA, rip = the return address, and the callee-saved registers (rbx, rbp, r12–r15) found where
/// the CFI says the frame saved them (or unchanged when it did not touch them). Caller-saved registers (rax, rcx,
/// rdx, rsi, rdi, r8–r11) are unknown in an outer frame, as gdb shows them (<c>&lt;not saved&gt;</c>), except below a
/// signal frame whose CFI describes the whole interrupted context. Memory is read with faulting-safe reads: a
/// stack that changed under us gives unknown registers, never a crash.
/// </summary>
public static unsafe class CfiRegisters
{
    // rbx, rbp, r12..r15: preserved across calls by the SysV x86-64 ABI.
    private const uint CalleeSaved = (1u << 3) | (1u << 6) | (1u << 12) | (1u << 13) | (1u << 14) | (1u << 15);

    /// <summary>The registers of the caller of a frame.</summary>
    /// <param name="image">the process's modules (for the CFI of <paramref name="pc"/>)</param>
    /// <param name="pc">the frame's pc: an exact instruction address (interrupted frame 0) or a return address</param>
    /// <param name="exactPc">true when <paramref name="pc"/> is the interrupted instruction; a return address is looked
    /// up at pc-1 (the call instruction, which may be the last of its function)</param>
    /// <param name="frame">the frame's own registers</param>
    /// <param name="knownCfa">the frame's CFA when the stack walker found it (0 = compute it from the CFI)</param>
    /// <param name="returnAddress">the caller's pc when the walker found it (0 = read it from the CFI's rule)</param>
    public static FrameRegisters Caller(ProcessImage image, ulong pc, bool exactPc, in FrameRegisters frame,
                                        ulong knownCfa, ulong returnAddress)
    {
        var values = new ulong[FrameRegisters.Count];
        uint known = 0;
        ulong lookup = exactPc ? pc : pc - 1;
        DwarfModule? module = pc == 0 ? null : image.ModuleAt(lookup);
        ulong cfa = knownCfa;
        if (module != null)
        {
            lock (module.Gate)
            {
                nint frameInfo = FrameAt(module, lookup);
                if (frameInfo != 0)
                {
                    try
                    {
                        if (cfa == 0) cfa = Cfa(frameInfo, frame);
                        byte signal = 0;
                        LibDwUnwind.dwarf_frame_info(frameInfo, null, null, &signal);
                        // A signal frame's CFI describes every register of the interrupted context.
                        uint wanted = signal != 0 ? (1u << FrameRegisters.Count) - 1 : CalleeSaved | (1u << FrameRegisters.Rip);
                        for (int r = 0; r < FrameRegisters.Count; r++)
                        {
                            if ((wanted & (1u << r)) == 0 || r == FrameRegisters.Rsp) continue;
                            if (Recover(frameInfo, r, frame, cfa, (CalleeSaved & (1u << r)) != 0, out ulong v))
                            {
                                values[r] = v;
                                known |= 1u << r;
                            }
                        }
                    }
                    finally
                    {
                        LibDw.free((void*)frameInfo);
                    }
                }
            }
        }
        if (cfa != 0)
        {
            values[FrameRegisters.Rsp] = cfa;
            known |= 1u << FrameRegisters.Rsp;
        }
        if (returnAddress != 0)
        {
            values[FrameRegisters.Rip] = returnAddress;
            known |= 1u << FrameRegisters.Rip;
        }
        return FrameRegisters.From(values, known);
    }

    /// <summary>The CFI row at a runtime address (malloc'd by libdw; the caller frees it), or 0.</summary>
    private static nint FrameAt(DwarfModule module, ulong address)
    {
        if (module.Mod == 0) return 0;
        ulong bias;
        nint frame;
        // .eh_frame is in the loaded file itself; .debug_frame may be the only CFI of a -g -fno-asynchronous-unwind
        // build. Each answers in its own address space: runtime address - its bias.
        nint cfi = LibDw.dwfl_module_eh_cfi(module.Mod, &bias);
        if (cfi != 0 && LibDw.dwarf_cfi_addrframe(cfi, address - bias, &frame) == 0) return frame;
        cfi = LibDw.dwfl_module_dwarf_cfi(module.Mod, &bias);
        if (cfi != 0 && LibDw.dwarf_cfi_addrframe(cfi, address - bias, &frame) == 0) return frame;
        return 0;
    }

    private static ulong Cfa(nint frameInfo, in FrameRegisters frame)
    {
        DwarfOp* ops;
        nuint n;
        if (LibDw.dwarf_frame_cfa(frameInfo, &ops, &n) != 0 || n == 0) return 0;
        // A DWARF expression (not a location): its result is the CFA value.
        return Evaluate(ops, (int)n, frame, 0, out ulong value, out _) ? value : 0;
    }

    /// <summary>The caller's value of register <paramref name="r"/> by the frame's rule for it.</summary>
    private static bool Recover(nint frameInfo, int r, in FrameRegisters frame, ulong cfa, bool calleeSaved, out ulong value)
    {
        value = 0;
        DwarfOp* mem = stackalloc DwarfOp[3];
        DwarfOp* ops;
        nuint n;
        if (LibDwUnwind.dwarf_frame_register(frameInfo, r, mem, &ops, &n) != 0) return false;
        if (n == 0)
        {
            // ops == null: "same value" (this frame did not change it). ops == mem: "undefined"; libdw says so for
            // any register the CFI leaves unspecified, and the ABI keeps the callee-saved ones unchanged then.
            if (ops == null || calleeSaved) return frame.TryGet(r, out value);
            return false;
        }
        if (!Evaluate(ops, (int)n, frame, cfa, out ulong result, out bool isLocation)) return false;
        if (!isLocation) { value = result; return true; }
        return SafeMemory.TryRead((nint)result, out value);
    }

    /// <summary>A CFI expression or register rule: the few operators CFI uses. <paramref name="isLocation"/> is true
    /// when the result is the address where the value lives (no DW_OP_stack_value, no register).</summary>
    private static bool Evaluate(DwarfOp* ops, int count, in FrameRegisters frame, ulong cfa, out ulong result, out bool isLocation)
    {
        result = 0;
        isLocation = true;
        Span<ulong> stack = stackalloc ulong[8];
        int top = 0;
        for (int i = 0; i < count; i++)
        {
            byte code = ops[i].Atom;
            ulong number = ops[i].Number;
            if (top >= stack.Length - 1) return false;
            if (code >= 0x50 && code <= 0x6f || code == 0x90) // DW_OP_reg / regx: the value is that register's
            {
                if (count != 1 || !frame.TryGet(code == 0x90 ? (int)number : code - 0x50, out result)) return false;
                isLocation = false;
                return true;
            }
            if (code >= 0x70 && code <= 0x8f || code == 0x92) // DW_OP_breg / bregx
            {
                int reg = code == 0x92 ? (int)number : code - 0x70;
                if (!frame.TryGet(reg, out ulong rv)) return false;
                stack[top++] = rv + (code == 0x92 ? ops[i].Number2 : number);
                continue;
            }
            if (code >= 0x30 && code <= 0x4f) { stack[top++] = (ulong)(code - 0x30); continue; } // DW_OP_lit
            switch (code)
            {
                case 0x9c: // call_frame_cfa
                    if (cfa == 0) return false;
                    stack[top++] = cfa;
                    break;
                case 0x08: case 0x0a: case 0x0c: case 0x0e: case 0x10: // constNu, constu
                case 0x09: case 0x0b: case 0x0d: case 0x0f: case 0x11: // constNs, consts (libdw sign-extends)
                    stack[top++] = number;
                    break;
                case 0x06: // deref
                    if (top < 1 || !SafeMemory.TryRead((nint)stack[top - 1], out ulong w)) return false;
                    stack[top - 1] = w;
                    break;
                case 0x12: if (top < 1) return false; stack[top] = stack[top - 1]; top++; break;       // dup
                case 0x1a: if (top < 2) return false; top--; stack[top - 1] &= stack[top]; break;     // and
                case 0x1c: if (top < 2) return false; top--; stack[top - 1] -= stack[top]; break;     // minus
                case 0x22: if (top < 2) return false; top--; stack[top - 1] += stack[top]; break;     // plus
                case 0x23: if (top < 1) return false; stack[top - 1] += number; break;                // plus_uconst
                case 0x9f: // stack_value: the result is a value, not a location
                    if (top < 1) return false;
                    result = stack[top - 1];
                    isLocation = false;
                    return true;
                default:
                    return false;
            }
        }
        if (top < 1) return false;
        result = stack[top - 1];
        return true;
    }
}

/// <summary>The libdw CFI entry points register recovery adds to those site-type inference declares.</summary>
internal static unsafe partial class LibDwUnwind
{
    [System.Runtime.InteropServices.LibraryImport(LibDw.Lib)]
    internal static partial int dwarf_frame_register(nint frame, int regno, DwarfOp* opsMem, DwarfOp** ops, nuint* nops);

    [System.Runtime.InteropServices.LibraryImport(LibDw.Lib)]
    internal static partial int dwarf_frame_info(nint frame, ulong* start, ulong* end, byte* signalp);
}
