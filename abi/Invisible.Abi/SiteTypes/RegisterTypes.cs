using System;
using System.Collections.Generic;
using Iced.Intel;
using Invisible.Abi.Dwarf;
using IcedRegister = Iced.Intel.Register;

namespace Invisible.Abi.SiteTypes;

/// <summary>
/// Pointer types of the general registers before each instruction of a function, propagated forward from its
/// entry: parameters (location lists at the entry pc), loads of typed variables, members and globals, member
/// addresses (<c>lea rbx, [rax+16]</c> is <c>&amp;node-&gt;right</c>), callee return types. Where paths join
/// with different types the register becomes untyped. This answers "what is rbx here" at -O2 where GCC's
/// location lists have gaps (a loop cursor such as <c>slot = &amp;(*slot)-&gt;left</c>).
/// </summary>
internal sealed class RegisterTypes
{
    private const int MaxSteps = 4000;
    private const int Rsp = 7;
    private static readonly int[] CallerSaved = { 0, 1, 2, 4, 5, 8, 9, 10, 11 };

    private readonly Dictionary<ulong, CType?[]> _before = new();

    private RegisterTypes() { }

    /// <summary>Pointer type of DWARF register <paramref name="register"/> before the instruction at runtime
    /// address <paramref name="pc"/>; null when unknown or not a pointer.</summary>
    public CType? At(ulong pc, int register) =>
        register >= 0 && register < 16 && _before.TryGetValue(pc, out CType?[]? regs) ? regs[register] : null;

    internal static RegisterTypes Build(FunctionFacts facts, Func<ulong, FunctionFacts?> callee)
    {
        var result = new RegisterTypes();
        ulong bias = facts.Module.Bias;
        ulong entry = facts.Function.EntryPc != 0 ? facts.Function.EntryPc : facts.Function.LowPc;
        var start = new CType?[16];
        for (int r = 0; r < 16; r++) start[r] = Pointer(facts.VariableInRegister(entry, r));
        var work = new Stack<(ulong, CType?[])>();
        work.Push((entry + bias, start));
        var info = new InstructionInfoFactory();
        int steps = 0;
        while (work.Count > 0 && steps < MaxSteps)
        {
            (ulong pc, CType?[] regs) = work.Pop();
            while (steps++ < MaxSteps)
            {
                if (!Merge(result._before, pc, regs, out CType?[] state)) break; // nothing new on this path
                if (!facts.Decode(pc, out Instruction ins)) break;
                regs = (CType?[])state.Clone();
                ulong dwarfPc = pc - bias;
                // Location lists are authoritative where they speak.
                for (int r = 0; r < 16; r++)
                {
                    CType? v = Pointer(facts.VariableInRegister(dwarfPc, r));
                    if (v is not null) regs[r] = v;
                }
                ulong next = ins.NextIP;
                FlowControl flow = ins.FlowControl;
                if (flow == FlowControl.Return || flow == FlowControl.IndirectBranch || flow == FlowControl.Interrupt || flow == FlowControl.Exception)
                    break;
                if (flow == FlowControl.UnconditionalBranch)
                {
                    if (ins.Op0Kind != OpKind.NearBranch64 || !facts.Contains(ins.NearBranchTarget - bias)) break;
                    pc = ins.NearBranchTarget;
                    continue;
                }
                if (flow == FlowControl.ConditionalBranch)
                {
                    if (ins.Op0Kind == OpKind.NearBranch64 && facts.Contains(ins.NearBranchTarget - bias))
                        work.Push((ins.NearBranchTarget, (CType?[])regs.Clone()));
                    pc = next;
                    continue;
                }
                if (flow == FlowControl.Call || flow == FlowControl.IndirectCall)
                {
                    foreach (int r in CallerSaved) regs[r] = null;
                    if (flow == FlowControl.Call && ins.Op0Kind == OpKind.NearBranch64)
                        regs[0] = Pointer(callee(ins.NearBranchTarget)?.Function.ReturnType);
                    pc = next;
                    continue;
                }
                Transfer(facts, in ins, dwarfPc, regs, info);
                pc = next;
            }
        }
        return result;
    }

    /// <summary>Join <paramref name="incoming"/> into the state recorded at pc. False when nothing changed
    /// (the path can stop); the merged state is returned in <paramref name="state"/>.</summary>
    private static bool Merge(Dictionary<ulong, CType?[]> before, ulong pc, CType?[] incoming, out CType?[] state)
    {
        if (!before.TryGetValue(pc, out CType?[]? known))
        {
            state = (CType?[])incoming.Clone();
            before[pc] = state;
            return true;
        }
        bool changed = false;
        for (int r = 0; r < 16; r++)
            if (known[r] is not null && !Same(known[r]!, incoming[r])) { known[r] = null; changed = true; }
        state = known;
        return changed;
    }

    private static void Transfer(FunctionFacts facts, in Instruction ins, ulong dwarfPc, CType?[] regs, InstructionInfoFactory info)
    {
        if (ins.Mnemonic == Mnemonic.Mov && ins.Op0Kind == OpKind.Register)
        {
            int d = ResultFlow.Gpr64(ins.Op0Register);
            bool full = d >= 0 && ins.Op0Register.GetFullRegister() == ins.Op0Register;
            if (d < 0) return;
            if (full && ins.Op1Kind == OpKind.Register)
            {
                int s = ResultFlow.Gpr64(ins.Op1Register);
                regs[d] = s >= 0 && ins.Op1Register.GetFullRegister() == ins.Op1Register ? regs[s] : null;
                return;
            }
            regs[d] = full && ins.Op1Kind == OpKind.Memory ? Pointer(Loaded(facts, in ins, dwarfPc, regs)) : null;
            return;
        }
        if (ins.Mnemonic == Mnemonic.Lea && ins.Op0Kind == OpKind.Register)
        {
            int d = ResultFlow.Gpr64(ins.Op0Register);
            if (d < 0) return;
            int b = ResultFlow.Gpr64(ins.MemoryBase);
            CType? result = null;
            if (ins.IsIPRelativeMemoryOperand)
            {
                CType? g = facts.GlobalObject(ins.IPRelativeMemoryAddress - facts.Module.Bias);
                regs[d] = g is null ? null : facts.PointerTo(g);
                return;
            }
            if (b >= 0 && b != Rsp && ins.MemoryIndex == IcedRegister.None && !ins.IsIPRelativeMemoryOperand)
            {
                long disp = (long)ins.MemoryDisplacement64;
                CType? pointee = ResultFlow.PointerTarget(regs[b]);
                if (disp == 0) result = regs[b];
                else if (pointee is not null)
                {
                    CType? member = MemberStartingAt(pointee, disp);
                    if (member is not null) result = facts.PointerTo(member);
                }
            }
            regs[d] = result;
            return;
        }
        if (ins.Mnemonic is Mnemonic.Cmp or Mnemonic.Test or Mnemonic.Nop) return;
        InstructionInfo used = info.GetInfo(ins);
        foreach (UsedRegister u in used.GetUsedRegisters())
        {
            if (u.Access is OpAccess.Read or OpAccess.CondRead or OpAccess.None or OpAccess.NoMemAccess) continue;
            int r = ResultFlow.Gpr64(u.Register);
            if (r >= 0 && r != Rsp) regs[r] = null;
        }
    }

    /// <summary>The type of the value a memory load reads, when its place is typed.</summary>
    private static CType? Loaded(FunctionFacts facts, in Instruction ins, ulong dwarfPc, CType?[] regs)
    {
        if (ins.IsIPRelativeMemoryOperand) return facts.GlobalPlace(ins.IPRelativeMemoryAddress - facts.Module.Bias);
        int b = ResultFlow.Gpr64(ins.MemoryBase);
        if (b < 0) return null;
        long disp = (long)ins.MemoryDisplacement64;
        if ((b == 6 || b == Rsp) && ins.MemoryIndex == IcedRegister.None && facts.RegisterToCfa(dwarfPc, b, disp, out long slot))
            return facts.VariableAtSlot(dwarfPc, slot);
        CType? pointee = ResultFlow.PointerTarget(regs[b]);
        int scale = ins.MemoryIndexScale;
        if (pointee is null && ins.MemoryIndex != IcedRegister.None && scale == 1)
        {
            int x = ResultFlow.Gpr64(ins.MemoryIndex); // [rcx+rdx] with rdx = &array (-O0)
            pointee = x >= 0 ? ResultFlow.PointerTarget(regs[x]) : null;
            CType? element = pointee?.Unqualified is ArrayType arr ? arr.Inner : pointee;
            scale = (int)(element?.Unqualified.Size ?? 0);
        }
        if (pointee is null) return null;
        if (ins.MemoryIndex != IcedRegister.None) return ResultFlow.ElementAt(pointee, disp, scale);
        return ResultFlow.FieldAt(pointee, disp, 0);
    }

    /// <summary>The outermost member of <paramref name="t"/> that starts exactly at <paramref name="offset"/> (> 0).</summary>
    internal static CType? MemberStartingAt(CType t, long offset)
    {
        if (t.Unqualified is not StructType st || st.IsDeclaration) return null;
        IReadOnlyList<Member> ms = st.Members;
        for (int i = 0; i < ms.Count; i++)
        {
            Member m = ms[i];
            if (m.IsBitfield) continue;
            if (m.Offset == offset) return m.Type;
            long size = m.Type.Size;
            if (offset > m.Offset && offset < m.Offset + size) return MemberStartingAt(m.Type, offset - m.Offset);
        }
        return null;
    }

    /// <summary>Same type for the purpose of a join: identical DIEs, or pointers to the same type (a synthetic
    /// member-address pointer equals the DWARF pointer type it stands for).</summary>
    private static bool Same(CType a, CType? b)
    {
        for (int guard = 0; guard < 8 && b is not null; guard++)
        {
            if (ReferenceEquals(a, b)) return true;
            CType ua = a.Unqualified, ub = b.Unqualified;
            if (ReferenceEquals(ua, ub)) return true;
            if (ua is not PointerType pa || ub is not PointerType pb) return false;
            a = pa.Target;
            b = pb.Target;
        }
        return false;
    }

    private static CType? Pointer(CType? t) => t?.Unqualified is PointerType ? t : null;
}
