using System;
using System.Collections.Generic;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Ffi;
using Xunit;

namespace Invisible.Abi.Tests;

/// <summary>Managed handlers behind real native function pointers, typed from the DWARF of the callback parameter.</summary>
public sealed class FfiClosureTests : IClassFixture<FfiFixture>
{
    private readonly FfiFixture _f;
    public FfiClosureTests(FfiFixture f) { _f = f; }

    [Fact]
    public void IntCallbackThroughFunctionPointerParameter()
    {
        FunctionType binop = _f.CallbackType("apply", 0);
        Assert.Equal("int(int, int)", binop.ToCString());
        int calls = 0;
        using FfiClosure c = FfiClosure.Create(binop, args => { calls++; return args[0].AsInt64() * 10 + args[1].AsInt64(); });
        Assert.NotEqual(0, c.Pointer);
        Assert.Equal(47, _f.Call("apply", [c.ToValue(), 4, 7]).AsInt64());
        Assert.Equal(-23, _f.Call("apply", [c.ToValue(), -2, -3]).AsInt64());
        Assert.Equal(2, calls);
        Assert.True(FfiClosure.TryGet(c.Pointer, out FfiClosure? back));
        Assert.Same(c, back);
        // the closure is an ordinary function pointer: call it through FfiCall too
        Assert.Equal(12, FfiCall.Invoke(c.Pointer, c.Signature, [1, 2]).AsInt64());
    }

    [Fact]
    public unsafe void FoldWithNamedCallbackParameters()
    {
        FunctionType t = _f.CallbackType("fold", 2);
        using FfiClosure c = FfiClosure.Create(t, a => a[0].AsInt64() * 2 + a[1].AsInt64());
        int[] xs = { 1, 0, 1, 1 };
        fixed (int* p = xs)
            Assert.Equal(0b1011 + 16, _f.Call("fold", [FfiValue.FromPointer(p), 4, c.ToValue(), 1]).AsInt64());
    }

    [Fact]
    public void CallbacksReceiveStructsByValue()
    {
        // double (*)(struct vec3d): a MEMORY-class struct argument
        using FfiClosure dot = FfiClosure.Create(_f.CallbackType("map_vec", 0), a =>
        {
            Vec3d v = FfiFixture.Read<Vec3d>(a[0]);
            return v.X + 10 * v.Y + 100 * v.Z;
        });
        Assert.Equal(1.5 + 30 + 450, _f.Call("map_vec", [dot.ToValue(), 1.5]).AsDouble());

        // int (*)(struct pair8, void *): an INTEGER-class struct plus user data
        var seen = new List<string>();
        using FfiClosure visit = FfiClosure.Create(_f.CallbackType("visit_pairs", 0), a =>
        {
            Pair8 p = FfiFixture.Read<Pair8>(a[0]);
            seen.Add(p.A + ":" + p.B + "@" + a[1].Address);
            return p.A + p.B;
        });
        Assert.Equal(0 + 11 + 22 + 33, _f.Call("visit_pairs", [visit.ToValue(), FfiValue.FromPointer(1234), 4]).AsInt64());
        Assert.Equal(new[] { "0:0@1234", "1:10@1234", "2:20@1234", "3:30@1234" }, seen);

        // union + bitfield struct arguments
        using FfiClosure uc = FfiClosure.Create(_f.CallbackType("union_cb", 0), a =>
        {
            double d = BitConverter.ToDouble(a[0].StructBytes);
            ReadOnlySpan<byte> fl = a[1].StructBytes;
            int first = fl[0];
            return (long)(d * 100) + first;
        });
        // flags {a=1,b=2,...}: first byte = a | b << 3 = 17
        Assert.Equal(250 + 17, _f.Call("union_cb", [uc.ToValue(), 2.5]).AsInt64());
    }

    [Fact]
    public void CallbacksReturnStructsByValue()
    {
        FfiType pair = _f.Type("struct pair8");
        using FfiClosure mk = FfiClosure.Create(_f.CallbackType("call_maker", 0),
            a => _f.Struct("struct pair8", new Pair8 { A = (int)a[0].AsInt64(), B = -(int)a[0].AsInt64() }));
        FfiValue r = _f.Call("call_maker", [mk.ToValue(), 21]);
        Assert.Equal(new Pair8 { A = 21, B = -21 }, FfiFixture.Read<Pair8>(r));

        using FfiClosure mix = FfiClosure.Create(_f.CallbackType("call_mixer", 0), a =>
        {
            Mixed16 m = FfiFixture.Read<Mixed16>(a[0]);
            Vec2f v = FfiFixture.Read<Vec2f>(a[1]);
            return _f.Struct("struct mixed16", new Mixed16 { D = m.D + v.X, I = m.I * 2, F = m.F + v.Y });
        });
        FfiValue m = _f.Call("call_mixer", [mix.ToValue(), _f.Struct("struct mixed16", new Mixed16 { D = 1, I = 7, F = 2 })]);
        Assert.Equal(new Mixed16 { D = 1.25, I = 14, F = 2.5f }, FfiFixture.Read<Mixed16>(m));

        using FfiClosure big = FfiClosure.Create(_f.CallbackType("call_big", 0), a =>
        {
            Vec3d v = FfiFixture.Read<Vec3d>(a[0]);
            double k = a[1].AsDouble();
            return _f.Struct("struct vec3d", new Vec3d { X = v.X * k, Y = v.Y * k, Z = v.Z * k });
        });
        Assert.Equal(2 * (1 + 20 + 300), _f.Call("call_big", [big.ToValue(), 2.0]).AsDouble());
    }

    [Fact]
    public void SmallIntegerAndLongDoubleResultsAreExtended()
    {
        using FfiClosure sc = FfiClosure.Create(_f.CallbackType("schar_cb", 0), _ => -5);
        Assert.Equal(-5, _f.Call("schar_cb", [sc.ToValue()]).AsInt64());
        using FfiClosure us = FfiClosure.Create(_f.CallbackType("ushort_cb", 0), _ => 65535);
        Assert.Equal(65535UL, _f.Call("ushort_cb", [us.ToValue()]).AsUInt64());
        using FfiClosure ld = FfiClosure.Create(_f.CallbackType("ld_cb", 0), a => a[0].AsDouble() * 3);
        Assert.Equal(0.75 * 3 + 1, _f.Call("ld_cb", [ld.ToValue(), 0.75]).AsDouble());
        using FfiClosure many = FfiClosure.Create(_f.CallbackType("many_cb", 0), a =>
        {
            double s = 0;
            for (int i = 0; i < a.Length; i++) s += a[i].AsDouble();
            return s;
        });
        Assert.Equal(28 + 40, _f.Call("many_cb", [many.ToValue()]).AsInt64());
    }

    [Fact]
    public void ExceptionsDoNotUnwindThroughC()
    {
        Exception? sunk = null;
        FfiClosure.UnhandledException = (_, e) => sunk = e;
        try
        {
            using FfiClosure bad = FfiClosure.Create(_f.CallbackType("apply", 0), _ => throw new InvalidOperationException("boom"));
            Assert.Equal(0, _f.Call("apply", [bad.ToValue(), 1, 2]).AsInt64());
            Assert.Equal(1, bad.ExceptionCount);
            Assert.Equal("boom", bad.LastException!.Message);
            Assert.Same(bad.LastException, sunk);

            // a result that does not convert is an exception too (recorded, zero returned)
            using FfiClosure wrong = FfiClosure.Create(_f.CallbackType("apply", 0), _ => "not an int");
            Assert.Equal(0, _f.Call("apply", [wrong.ToValue(), 1, 2]).AsInt64());
            Assert.Equal("callback result: expected an integer, got str", wrong.LastException!.Message);
            using FfiClosure big = FfiClosure.Create(_f.CallbackType("apply", 0), _ => 1L << 40);
            Assert.Equal(0, _f.Call("apply", [big.ToValue(), 1, 2]).AsInt64());
            Assert.Equal("callback result: 1099511627776 out of range for int", big.LastException!.Message);
            using FfiClosure s = FfiClosure.Create(_f.CallbackType("str_cb", 0), _ => "text");
            Assert.Equal(0, _f.Call("str_cb", [s.ToValue(), 1]).Address);
            Assert.Equal("callback result: cannot return str as const char * (its memory would not outlive the call)", s.LastException!.Message);
        }
        finally { FfiClosure.UnhandledException = null; }
    }

    [Fact]
    public void RegisteredHooksFireLaterAndDisposeReleases()
    {
        FunctionType hook = _f.CallbackType("register_hook", 0);
        var fired = new List<string>();
        int live = FfiClosure.LiveCount;
        FfiClosure h1 = FfiClosure.Create(hook, a => { fired.Add("h1:" + a[0]); return FfiValue.None; });
        FfiClosure h2 = FfiClosure.Create(hook, a => { fired.Add("h2:" + a[0]); return FfiValue.None; });
        Assert.Equal(1, _f.Call("register_hook", [h1.ToValue()]).AsInt64());
        Assert.Equal(2, _f.Call("register_hook", [h2.ToValue()]).AsInt64());
        GC.Collect();
        GC.WaitForPendingFinalizers(); // the keep-alive registry holds them, not the C array
        Assert.Equal(2, _f.Call("fire_hooks", [100]).AsInt64());
        Assert.Equal(new[] { "h2:101", "h1:100" }, fired);
        Assert.True(FfiClosure.LiveCount >= live + 2);
        nint p1 = h1.Pointer;
        h1.Dispose();
        h2.Dispose();
        Assert.True(h1.IsDisposed);
        Assert.Equal(0, h1.Pointer);
        Assert.False(FfiClosure.TryGet(p1, out _));
    }

    [Fact]
    public void CallbackOnAForeignThread()
    {
        int managedThread = -1;
        using FfiClosure c = FfiClosure.Create(_f.CallbackType("run_in_thread", 0), a =>
        {
            managedThread = Environment.CurrentManagedThreadId;
            return a[0].AsInt64() * 3;
        });
        Assert.Equal(126, _f.Call("run_in_thread", [c.ToValue(), 42]).AsInt64());
        Assert.NotEqual(Environment.CurrentManagedThreadId, managedThread);
    }

    [Fact]
    public void ConcurrentCallsCallbacksAndVariadicCifs()
    {
        using FfiClosure c = FfiClosure.Create(_f.CallbackType("apply", 0), a => a[0].AsInt64() - a[1].AsInt64());
        long failures = 0;
        System.Threading.Tasks.Parallel.For(0, 4, t =>
        {
            for (int i = 0; i < 5000; i++)
            {
                if (_f.Call("apply", [c.ToValue(), 1000 * t, i]).AsInt64() != 1000 * t - i) System.Threading.Interlocked.Increment(ref failures);
                // alternate argument-kind lists so threads race on the variadic cif cache
                FfiValue r = (i + t) % 3 == 0 ? _f.Call("sum_longs", [2, 5L, (ulong)i])
                           : (i + t) % 3 == 1 ? _f.Call("sum_longs", [2, (ulong)5, i])
                           : _f.Call("sum_longs", [2, FfiValue.FromPointer(5), i]);
                if (r.AsInt64() != 5 + i) System.Threading.Interlocked.Increment(ref failures);
            }
        });
        Assert.Equal(0, failures);
        Assert.Equal(0, c.ExceptionCount);
    }

    /// <summary>A raw-argument target: int (*)(int, int) returning a * 100 + b, counting its calls.</summary>
    private sealed unsafe class ScaleTarget : FfiClosureTarget
    {
        public int Calls;
        public override void Invoke(FfiClosure closure, void* ret, void** args)
        {
            Calls++;
            *(long*)ret = *(int*)args[0] * 100L + *(int*)args[1];
        }
    }

    [Fact]
    public void PermanentClosuresAnswerCallsAndRefuseDispose()
    {
        var target = new ScaleTarget();
        FfiClosure c = FfiClosure.CreatePermanent(FfiSignature.For(_f.CallbackType("apply", 0)), target);
        Assert.True(c.IsPermanent);
        Assert.Equal(407, _f.Call("apply", [c.ToValue(), 4, 7]).AsInt64());
        Assert.Equal(-203, _f.Call("apply", [c.ToValue(), -2, -3]).AsInt64());
        Assert.Equal(2, target.Calls);
        var e = Assert.Throws<InvalidOperationException>(() => c.Dispose());
        Assert.Equal("a permanent closure cannot be disposed: C may still hold its pointer", e.Message);
        // still callable after the refused Dispose
        Assert.False(c.IsDisposed);
        Assert.Equal(102, _f.Call("apply", [c.ToValue(), 1, 2]).AsInt64());
        using FfiClosure plain = FfiClosure.Create(c.Signature, new ScaleTarget());
        Assert.False(plain.IsPermanent);
    }

    [Fact]
    public void VariadicClosuresAreRefused()
    {
        var e = Assert.Throws<FfiException>(() => FfiClosure.Create("int(const char *, ...)", _ => 0));
        Assert.Equal("a closure cannot implement a variadic function (int (const char *, ...))", e.Message);
    }
}
