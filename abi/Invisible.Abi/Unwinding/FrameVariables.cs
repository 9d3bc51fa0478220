using System;
using System.Collections.Generic;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Ffi;

namespace Invisible.Abi.Unwinding;

/// <summary>A thread's physical frames, innermost first, each with the registers known there: frame 0's from the
/// stopped thread (all of them when it was interrupted), each outer frame's recovered through the CFI of the frame
/// below it (<see cref="CfiRegisters"/>: rsp, rip and the callee-saved registers).</summary>
public sealed class FrameChain
{
    private FrameChain(int count) { Pcs = new ulong[count]; Cfas = new ulong[count]; Registers = new FrameRegisters[count]; }

    public ulong[] Pcs { get; }
    /// <summary>Each frame's CFA (the caller's sp); 0 = unknown (the walk stopped at this frame).</summary>
    public ulong[] Cfas { get; }
    public FrameRegisters[] Registers { get; }
    /// <summary>Frame 0's pc is the interrupted instruction (not a return address).</summary>
    public bool ExactFirst { get; private init; }
    public int Count => Pcs.Length;

    /// <summary>The chain of one stack walk (<paramref name="pcs"/>/<paramref name="cfas"/> as the stack walker gave
    /// them), frame 0's registers <paramref name="first"/>.</summary>
    public static FrameChain Build(ProcessImage image, ReadOnlySpan<ulong> pcs, ReadOnlySpan<ulong> cfas, FrameRegisters first, bool exactFirst)
    {
        var chain = new FrameChain(pcs.Length) { ExactFirst = exactFirst };
        FrameRegisters regs = first;
        for (int i = 0; i < pcs.Length; i++)
        {
            chain.Pcs[i] = pcs[i];
            chain.Cfas[i] = i < cfas.Length ? cfas[i] : 0;
            chain.Registers[i] = regs;
            if (i + 1 < pcs.Length)
                regs = CfiRegisters.Caller(image, pcs[i], i == 0 && exactFirst, regs, chain.Cfas[i], pcs[i + 1]);
        }
        return chain;
    }

    /// <summary>The address DWARF looks frame <paramref name="index"/> up at: the interrupted instruction, or the call
    /// before a return address.</summary>
    public ulong LookupPc(int index) => index == 0 && ExactFirst ? Pcs[index] : Pcs[index] - 1;
}

/// <summary>Where a variable of a frame is: in memory (an address), in a register (its content), or a computed
/// value (DW_OP_stack_value); <see cref="VariableLocationKind.None"/>: optimized out here, or not evaluable.</summary>
public enum VariableLocationKind { None, Memory, Register, Value }

public readonly struct VariableLocation
{
    public VariableLocation(VariableLocationKind kind, ulong number) { Kind = kind; Number = number; }
    public VariableLocationKind Kind { get; }
    /// <summary>The address (Memory), or the value itself (Register, Value).</summary>
    public ulong Number { get; }
}

/// <summary>
/// The locals and parameters of a frame through their DWARF locations, as a debugger evaluates them: frame base,
/// DW_OP_reg/breg/fbreg/call_frame_cfa, stack values, and entry values (DW_OP_entry_value: a callee-saved register
/// from the caller's frame, an argument register from the caller's call-site parameter). Registers are those known in
/// the frame (<see cref="FrameChain"/>); an unknown register fails (optimized out, as gdb shows a clobbered
/// caller-saved register). Memory is read with faulting-safe reads of this process. Used by DwarfPython's
/// <c>process.threads</c> and by the census's typing of blocks from before an attach (<c>PointerTyping</c>).
/// </summary>
public static class FrameVariables
{
    /// <summary>The function frame <paramref name="index"/> is in (null: no DWARF there), with its module.</summary>
    public static Function? FunctionAt(ProcessImage image, FrameChain chain, int index, out DwarfModule? module, out ulong dwarfPc)
    {
        ulong lookup = chain.LookupPc(index);
        module = image.ModuleAt(lookup);
        dwarfPc = 0;
        if (module is null || !module.HasDwarf) return null;
        dwarfPc = lookup - module.Bias;
        try { return module.FunctionAt(dwarfPc); }
        catch (DwarfException) { return null; }
    }

    /// <summary>DW_AT_frame_base of <paramref name="f"/> at <paramref name="dwarfPc"/> (the CFA when absent); null: unknown.</summary>
    public static ulong? FrameBase(ProcessImage image, Function f, ulong dwarfPc, FrameChain chain, int index)
    {
        if (f.FrameBase.IsEmpty) return chain.Cfas[index] != 0 ? chain.Cfas[index] : null;
        if (!f.FrameBase.TryAt(dwarfPc, out LocationRange r)) return null;
        // DW_OP_regN in a frame base means "the register's value" (not a register location).
        VariableLocation res = Evaluate(image, r.Ops, 0, null, chain, index, 0);
        return res.Kind == VariableLocationKind.None ? null : res.Number;
    }

    /// <summary>Where variable <paramref name="v"/> of frame <paramref name="index"/> is at <paramref name="dwarfPc"/>.</summary>
    public static VariableLocation Locate(ProcessImage image, Variable v, ulong dwarfPc, ulong bias, ulong? frameBase, FrameChain chain, int index)
    {
        if (v.Location.IsEmpty || !v.Location.TryAt(dwarfPc, out LocationRange r) || r.Ops.Count == 0) return default;
        return Evaluate(image, r.Ops, bias, frameBase, chain, index, 0);
    }

    /// <summary>A DWARF expression on a small stack.</summary>
    private static VariableLocation Evaluate(ProcessImage image, IReadOnlyList<LocationOp> ops, ulong bias, ulong? frameBase,
        FrameChain chain, int index, int depth)
    {
        Span<ulong> stack = stackalloc ulong[16];
        int top = 0;
        FrameRegisters regs = chain.Registers[index];
        for (int i = 0; i < ops.Count; i++)
        {
            LocationOp op = ops[i];
            byte code = op.Op;
            if (top >= stack.Length - 1) return default;
            if (code >= 0x30 && code <= 0x4f) { stack[top++] = (ulong)(code - 0x30); continue; } // DW_OP_lit
            if (code >= 0x50 && code <= 0x6f) // DW_OP_reg: the value lives in the register
            {
                if (ops.Count != 1 && !(ops.Count == 2 && ops[1].Op == 0x93)) return default;
                if (!regs.TryGet(code - 0x50, out ulong rv)) return default;
                return new VariableLocation(VariableLocationKind.Register, rv);
            }
            if (code >= 0x70 && code <= 0x8f) // DW_OP_breg
            {
                if (!regs.TryGet(code - 0x70, out ulong rv)) return default;
                stack[top++] = rv + op.Number;
                continue;
            }
            switch (code)
            {
                case 0x03: stack[top++] = op.Number + bias; break;                // DW_OP_addr (link-time address)
                case 0x08: case 0x0a: case 0x0c: case 0x0e: case 0x10:            // constNu, constu
                case 0x09: case 0x0b: case 0x0d: case 0x0f: case 0x11:            // constNs, consts (libdw sign-extends)
                    stack[top++] = op.Number; break;
                case 0x12: if (top < 1) return default; stack[top] = stack[top - 1]; top++; break;        // dup
                case 0x13: if (top < 1) return default; top--; break;                                     // drop
                case 0x06: // deref
                {
                    if (top < 1 || !SafeMemory.TryRead((nint)stack[top - 1], out ulong w)) return default;
                    stack[top - 1] = w;
                    break;
                }
                case 0x1c: if (top < 2) return default; top--; stack[top - 1] -= stack[top]; break;       // minus
                case 0x22: if (top < 2) return default; top--; stack[top - 1] += stack[top]; break;       // plus
                case 0x23: if (top < 1) return default; stack[top - 1] += op.Number; break;               // plus_uconst
                case 0x90: // regx
                    if (ops.Count != 1 || !regs.TryGet((int)op.Number, out ulong rx)) return default;
                    return new VariableLocation(VariableLocationKind.Register, rx);
                case 0x91: // fbreg
                    if (frameBase is not ulong fb) return default;
                    stack[top++] = fb + op.Number;
                    break;
                case 0x92: // bregx
                    if (!regs.TryGet((int)op.Number, out ulong bx)) return default;
                    stack[top++] = bx + op.Number2;
                    break;
                case 0xa3: case 0xf3: // entry_value, GNU_entry_value
                    if (!TryEntryValue(image, CallSites.EntryValueRegister(op), chain, index, depth, out ulong ev)) return default;
                    stack[top++] = ev;
                    break;
                case 0x9c: // call_frame_cfa
                    if (chain.Cfas[index] == 0) return default;
                    stack[top++] = chain.Cfas[index];
                    break;
                case 0x9f: // stack_value: the result is the value itself
                    return top < 1 ? default : new VariableLocation(VariableLocationKind.Value, stack[top - 1]);
                case 0x93: // piece: a single piece covering the variable is the plain location
                    if (i != ops.Count - 1) return default;
                    break;
                default: return default; // implicit pointers, TLS, multi-piece: not evaluated
            }
        }
        return top >= 1 ? new VariableLocation(VariableLocationKind.Memory, stack[top - 1]) : default;
    }

    private const uint CalleeSaved = (1u << 3) | (1u << 6) | (1u << 12) | (1u << 13) | (1u << 14) | (1u << 15);

    /// <summary>DW_OP_entry_value(DW_OP_regN): register N as it was when the frame's function was entered (gdb's
    /// <c>x@entry</c>). A callee-saved register had the caller's value; an argument register is what the caller
    /// passed, which the caller's call-site parameter (DW_AT_call_value) describes over the caller's frame.</summary>
    private static bool TryEntryValue(ProcessImage image, int register, FrameChain chain, int index, int depth, out ulong value)
    {
        value = 0;
        int caller = index + 1;
        if (register < 0 || caller >= chain.Count || depth >= 8) return false;
        if ((CalleeSaved & (1u << register)) != 0) return chain.Registers[caller].TryGet(register, out value);
        LocationOp[]? ops = CallSites.ParameterValue(image, chain.Pcs[caller], register);
        if (ops is null) return false;
        DwarfModule? m = image.ModuleAt(chain.Pcs[caller] - 1);
        if (m is null) return false;
        VariableLocation r = Evaluate(image, ops, m.Bias, null, chain, caller, depth + 1);
        // A call value is a DWARF expression: its result is the value (a register location means its content).
        if (r.Kind != VariableLocationKind.None) { value = r.Number; return true; }
        return false;
    }
}
