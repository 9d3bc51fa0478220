using System;
using System.Collections.Generic;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Invisible.Abi.LoaderExt;

/// <summary>
/// Machine code of the named stubs (encoded with Iced) and their exact call-frame instructions.
/// Every stub with a frame has the standard prologue <c>push rbp; mov rbp,rsp</c> at offsets 0 and 1, so gdb,
/// perf, libgcc and our own allocation-site unwinder (malloc-instrument/src/trace/unwind.c) walk through it and name it.
/// </summary>
public static class StubCode
{
    /// <summary>Largest stack-argument area a forwarding stub copies (bytes); beyond it a tail-jump stub is used.</summary>
    public const int MaxCopiedStackBytes = 512;

    private sealed class ByteWriter : CodeWriter
    {
        public readonly List<byte> Bytes = new(64);
        public override void WriteByte(byte value) => Bytes.Add(value);
    }

    private static byte[] Assemble(Assembler a, ulong rip)
    {
        var w = new ByteWriter();
        a.Assemble(w, rip);
        return w.Bytes.ToArray();
    }

    /// <summary>
    /// Python→Python frame: <c>push rbp; mov rbp,rsp; mov r11,target; call r11; pop rbp; ret</c>.
    /// Registers (rdi..r9, xmm0..7, rax) reach the target untouched; the target is the VM's
    /// <c>[UnmanagedCallersOnly]</c> frame entry, which takes its frame from a thread-local.
    /// </summary>
    public static byte[] FrameStub(ulong rip, ulong target)
    {
        var a = new Assembler(64);
        a.push(rbp);
        a.mov(rbp, rsp);
        a.mov(r11, target);
        a.call(r11);
        a.pop(rbp);
        a.ret();
        return Assemble(a, rip);
    }

    /// <summary>
    /// C→Python entry forwarding to <paramref name="target"/> (e.g. a libffi closure) with every argument intact:
    /// <c>push rbp; mov rbp,rsp; sub rsp,A; copy the caller's stack arguments (stackBytes, in 8-byte slots, from
    /// [rbp+16]) to [rsp]; mov r11,target; call r11; leave; ret</c>. Only r11 (the psABI scratch register, never an
    /// argument) is used, so rdi..r9, xmm0..7, rax (vector count of variadic calls) and r10 (static chain) pass
    /// through; rax/rdx/xmm0/xmm1 come back untouched; a hidden struct-return pointer is just rdi.
    /// </summary>
    public static byte[] ForwardStub(ulong rip, ulong target, int stackBytes)
    {
        int slots = (stackBytes + 7) / 8;
        int area = (slots * 8 + 15) & ~15;
        var a = new Assembler(64);
        a.push(rbp);
        a.mov(rbp, rsp);
        if (area > 0)
        {
            a.sub(rsp, area);
            for (int i = 0; i < slots; i++)
            {
                a.mov(r11, __qword_ptr[rbp + (16 + 8 * i)]);
                a.mov(__qword_ptr[rsp + 8 * i], r11);
            }
        }
        a.mov(r11, target);
        a.call(r11);
        a.leave();
        a.ret();
        return Assemble(a, rip);
    }

    /// <summary>Frameless forwarder <c>mov r11,target; jmp r11</c> (stack layout unknown): dladdr names it, but it is
    /// not a frame of its own in a backtrace.</summary>
    public static byte[] TailStub(ulong rip, ulong target)
    {
        var a = new Assembler(64);
        a.mov(r11, target);
        a.jmp(r11);
        return Assemble(a, rip);
    }

    /// <summary>Test/diagnostic trampoline (no frame): shifts up to 5 integer arguments one register to the right,
    /// puts <paramref name="id"/> in rdi and jumps to <paramref name="target"/>(id, a0..a4).</summary>
    public static byte[] IdTrampoline(ulong rip, ulong id, ulong target)
    {
        var a = new Assembler(64);
        a.mov(r9, r8);
        a.mov(r8, rcx);
        a.mov(rcx, rdx);
        a.mov(rdx, rsi);
        a.mov(rsi, rdi);
        a.mov(rdi, id);
        a.mov(r11, target);
        a.jmp(r11);
        return Assemble(a, rip);
    }

    /// <summary>
    /// CFI of a frame-pointer stub whose last byte is its <c>ret</c> (DW_CFA_*, code align 1, data align -8, after the
    /// CIE's "CFA = rsp+8, RA at CFA-8"): after push (1): CFA = rsp+16, rbp at CFA-16; after mov (4): CFA = rbp+16;
    /// at the ret (after pop/leave): CFA = rsp+8, rbp restored.
    /// </summary>
    public static byte[] FramePointerCfi(int length)
    {
        int retOffset = length - 1;
        int delta = retOffset - 4;
        var c = new List<byte>(16) { 0x41, 0x0e, 0x10, 0x86, 0x02, 0x43, 0x0d, 0x06 };
        if (delta < 64) c.Add((byte)(0x40 | delta));
        else { c.Add(0x03); c.Add((byte)delta); c.Add((byte)(delta >> 8)); } // DW_CFA_advance_loc2
        c.Add(0x0c); c.Add(0x07); c.Add(0x08); // DW_CFA_def_cfa rsp, 8
        c.Add(0x08); c.Add(0x06);              // DW_CFA_same_value rbp
        return c.ToArray();
    }
}
