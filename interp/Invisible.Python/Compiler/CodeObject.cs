using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Compiler;

public enum Op : byte
{
    Nop, PopTop, RotTwo, RotThree, RotFour, DupTop, DupTopTwo,
    LoadConst, LoadFast, StoreFast, DeleteFast, LoadDeref, StoreDeref, DeleteDeref, LoadClosure, LoadClassDeref,
    LoadGlobal, StoreGlobal, DeleteGlobal, LoadName, StoreName, DeleteName,
    LoadAttr, StoreAttr, DeleteAttr, LoadMethod, CallMethod, Call, CallEx, KwNames,
    Binary, Inplace, UnaryNeg, UnaryPos, UnaryInvert, UnaryNot,
    Compare, Is, IsNot, In, NotIn,
    BinarySubscr, StoreSubscr, DeleteSubscr, BuildSlice,
    Jump, PopJumpIfFalse, PopJumpIfTrue, JumpIfFalseOrPop, JumpIfTrueOrPop,
    GetIter, ForIter,
    BuildTuple, BuildList, BuildSet, BuildMap, ListAppend, SetAdd, MapAdd, ListExtend, SetUpdate, DictUpdate, DictMerge, ListToTuple,
    BuildString, FormatValue,
    UnpackSequence, UnpackEx,
    MakeFunction, BuildClass,
    ReturnValue, YieldValue, GetYieldFromIter, YieldFrom,
    SetupExcept, SetupWith, PopBlock, PopExcept, Raise, Reraise, CheckExcMatch,
    BeforeWith, WithExitNormal, WithExcept,
    ImportName, ImportFrom, ImportStar,
    LoadAssertionError, PrintExpr, LoadSuperArgs,
    MatchClass, MatchSequence, MatchMapping, MatchKeys, GetLen, CopyDictWithoutKeys,
    // coroutines (PEP 492/525): await, async for, async with, async generators' yield
    GetAwaitable, GetAIter, GetANext, EndAsyncFor, BeforeAsyncWith, AsyncGenWrap,
    // except* (PEP 654)
    CheckEgMatch, PrepReraiseStar,
    // SETUP_ANNOTATIONS: a module's or class body's __annotations__ dict, unless its namespace already has one
    SetupAnnotations,
}

/// <summary>Compiled code of a module, class body, function, lambda or comprehension.</summary>
public sealed class CodeObject
{
    public string Name = "", QualName = "", Filename = "";
    public int[] Code = Array.Empty<int>();
    public int[] Lines = Array.Empty<int>();
    /// <summary>Per instruction, with <see cref="Lines"/>: the end line, and the start and end columns (UTF-8 byte offsets)
    /// packed by <see cref="PackCols"/> (0: unknown). co_positions() reports them (PEP 657).</summary>
    public int[] EndLines = Array.Empty<int>(), Cols = Array.Empty<int>();
    public PyObject[] Consts = Array.Empty<PyObject>();
    public PyStr[] Names = Array.Empty<PyStr>();
    public PyStr[][] KwNameTable = Array.Empty<PyStr[]>();
    public string[] VarNames = Array.Empty<string>();
    public PyStr[] VarNameStrs = Array.Empty<PyStr>();
    public string[] CellVars = Array.Empty<string>();
    public string[] FreeVars = Array.Empty<string>();
    public int[] Cell2Arg = Array.Empty<int>();
    public int ArgCount, PosOnlyCount, KwOnlyCount;
    public bool HasVarArgs, HasVarKw, IsClassBody, IsModule;
    /// <summary>Module code compiled with LOAD_NAME/STORE_NAME (exec/eval with separate locals): runs with any locals
    /// mapping (not marshalled: such code is compiled where it runs).</summary>
    public bool UsesNameOps;
    /// <summary>Calling it makes a resumable object (generator, coroutine or async generator) instead of running it.</summary>
    public bool IsGenerator;
    /// <summary>CO_COROUTINE (async def without yield) and CO_ASYNC_GENERATOR (async def with yield).</summary>
    public bool IsCoroutine, IsAsyncGenerator;
    /// <summary>CO_ITERABLE_COROUTINE: a generator that <c>await</c> accepts (types.coroutine sets it).</summary>
    public bool IsIterableCoroutine;
    public int StackSize, FirstLine;
    public int NLocals => VarNames.Length;
    public int NCells => CellVars.Length + FreeVars.Length;
    /// <summary>Inline caches, one per instruction that uses them (indexed by instruction).</summary>
    public object?[] Caches = Array.Empty<object?>();
    public PyObject? Doc;
    /// <summary>The code object Python sees (one per CodeObject: <c>f.__code__ is sys._getframe().f_code</c>).</summary>
    public PyObject? Wrapper;
    /// <summary>A returned call frame of this code kept for the next call (Interpreter.CallFunction takes it with an
    /// atomic exchange, Interpreter.Execute gives it back cleared unless something kept a reference to it:
    /// <see cref="Vm.Frame.Escaped"/>). One slot: recursion allocates, every other call reuses.</summary>
    internal Vm.Frame? FreeFrame;

    /// <summary>Start and end column in one int, each plus one in 16 bits; 0 when unknown or too wide to hold.</summary>
    public static int PackCols(int col, int endCol) =>
        col < 0 || endCol < 0 || col >= 0xFFFF || endCol >= 0xFFFF ? 0 : (col + 1) | ((endCol + 1) << 16);

    /// <summary>Instruction <paramref name="i"/>'s (line, end line, column, end column); columns -1 when unknown.</summary>
    public (int Line, int EndLine, int Col, int EndCol) PositionAt(int i)
    {
        if (i < 0 || i >= Lines.Length) return (FirstLine, FirstLine, -1, -1);
        int line = Lines[i];
        int endLine = i < EndLines.Length ? EndLines[i] : line;
        int packed = i < Cols.Length ? Cols[i] : 0;
        return packed == 0 ? (line, endLine, -1, -1) : (line, endLine, (packed & 0xFFFF) - 1, (int)((uint)packed >> 16) - 1);
    }

    /// <summary>A copy for code.replace(): its own inline caches and Python-visible wrapper.</summary>
    public CodeObject Clone()
    {
        var c = (CodeObject)MemberwiseClone();
        c.Caches = new object?[Code.Length];
        c.Wrapper = null;
        c.FreeFrame = null; // a frame is sized for, and names, its own code object
        return c;
    }
}
