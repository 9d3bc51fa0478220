using System;
using System.Runtime.InteropServices;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Ffi;

namespace Invisible.Abi.Tests;

/// <summary>tests/fixtures/lib/ffi_fixture.c, built -g -O0 as a shared library by CMake, dlopen()ed, and its DWARF opened.
/// Signatures come from DWARF, addresses from dlsym.</summary>
public sealed class FfiFixture : IDisposable
{
    public FfiFixture()
    {
        Path = Fixtures.Library("libffi_fixture.so");
        Dwarf = DwarfModule.Open(Path);
        Handle = NativeLibrary.Load(Path);
    }

    public string Path { get; }
    public DwarfModule Dwarf { get; }
    public nint Handle { get; }

    public Function Fn(string name) => Dwarf.FindFunction(name) ?? throw new InvalidOperationException("no DWARF for " + name);
    public nint Addr(string name) => NativeLibrary.GetExport(Handle, name);
    public FfiSignature Sig(string name) => FfiSignature.For(Fn(name));
    public FfiValue Call(string name, ReadOnlySpan<FfiValue> args) => FfiCall.Invoke(Addr(name), Sig(name), args);
    public FfiType Type(string name) => FfiType.For(Dwarf.FindType(name) ?? throw new InvalidOperationException("no type " + name));

    /// <summary>A struct value of a fixture type holding the bytes of a C# mirror.</summary>
    public FfiValue Struct<T>(string type, T value) where T : unmanaged =>
        FfiValue.NewStruct(Type(type), MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));

    public static T Read<T>(FfiValue v) where T : unmanaged => MemoryMarshal.Read<T>(v.StructBytes);

    /// <summary>The type that a parameter of a function points to (a function type for callbacks).</summary>
    public FunctionType CallbackType(string function, int parameter)
    {
        CType t = Fn(function).Type.Parameters[parameter].Unqualified;
        return (FunctionType)((PointerType)t).Target.Unqualified;
    }

    public void Dispose() => Dwarf.Dispose(); // the library stays loaded: closures handed to it may still be referenced
}

// C# mirrors of the fixture's structs (same layout as gcc's).
[StructLayout(LayoutKind.Sequential)] public struct Pair8 { public int A, B; }
[StructLayout(LayoutKind.Sequential)] public struct Vec2f { public float X, Y; }
[StructLayout(LayoutKind.Sequential)] public struct Mixed16 { public double D; public int I; public float F; }
[StructLayout(LayoutKind.Sequential)] public struct FPair { public float F; public double D; }
[StructLayout(LayoutKind.Sequential)] public struct Vec3d { public double X, Y, Z; }
[StructLayout(LayoutKind.Sequential)] public unsafe struct Big { public fixed long A[5]; public fixed byte Tag[8]; }
[StructLayout(LayoutKind.Sequential)] public struct Nested { public Pair8 P; public Vec2f V; }
[StructLayout(LayoutKind.Sequential)] public struct Tiny { public byte C; public short S; }
[StructLayout(LayoutKind.Sequential)] public struct Odd12 { public int A0, A1, A2; }
[StructLayout(LayoutKind.Sequential, Pack = 1)] public struct Pk { public byte C; public int I; public short S; }
[StructLayout(LayoutKind.Explicit)] public struct Tagged { [FieldOffset(0)] public int Tag; [FieldOffset(8)] public int I; [FieldOffset(8)] public float F; [FieldOffset(8)] public double D; }
