using System;
using Invisible.Python.Compiler;
using Invisible.Python.Runtime;

namespace Invisible.Python.Vm;

public struct Block
{
    public int Handler, Level;
    public bool IsHandler;     // an active except/finally handler (restores Saved on exit)
    public PyBaseException? Saved;
}

/// <summary>An activation record: locals, value stack, block stack and instruction pointer.</summary>
public sealed class Frame
{
    public readonly CodeObject Code;
    public readonly PyObject?[] Fast;
    public readonly PyObject[] Stack;
    public readonly PyCell[] Cells;
    public PyDict Globals;
    public PyDict Builtins;
    /// <summary>The namespace of LOAD_NAME/STORE_NAME: a module's or class body's dict (a __prepare__ mapping may be a
    /// dict subclass), or any mapping given to exec/eval as locals; null in a function.</summary>
    public PyObject? Locals;
    public int Sp, Ip;
    public Block[]? Blocks;
    public int BlockCount;
    public PyBaseException? ThrowIn;
    public bool Yielded, Finished;
    public Frame? Back;
    /// <summary>The Python-visible frame object, made on first request (sys._getframe, tb_frame).</summary>
    public PyFrameObject? Wrapper;
    /// <summary>Something other than the running call holds this frame (a frame object, a traceback entry, an
    /// exception's last frame, the f_back of an escaped frame): it is never reused. When an escaped frame exits its
    /// caller escapes too, so f_back chains stay valid (CPython materialises the previous frame the same way).</summary>
    public bool Escaped;
    /// <summary>A function call's frame (not a generator's, a module's or a class body's): given back to
    /// <see cref="CodeObject.FreeFrame"/> when the call returns, unless <see cref="Escaped"/>.</summary>
    internal bool Reusable;

    public Frame(CodeObject code, PyDict globals, PyCell[]? closure, PyDict builtins)
    {
        Code = code;
        Globals = globals;
        Builtins = builtins;
        // locals and the value stack share one array: the stack starts after the locals
        var slots = new PyObject[code.NLocals + code.StackSize];
        Fast = slots!;
        Stack = slots;
        Sp = code.NLocals;
        int nc = code.CellVars.Length, nf = code.FreeVars.Length;
        if (nc + nf == 0) Cells = Array.Empty<PyCell>();
        else
        {
            Cells = new PyCell[nc + nf];
            for (int i = 0; i < nc; i++) Cells[i] = new PyCell();
            if (closure != null) for (int i = 0; i < nf; i++) Cells[nc + i] = closure[i];
        }
    }

    /// <summary>Ready a frame taken from <see cref="CodeObject.FreeFrame"/> for a call of a function of its code: as the
    /// constructor leaves it (<see cref="Release"/> cleared the rest).</summary>
    internal void Reuse(PyDict globals, PyCell[]? closure, PyDict builtins)
    {
        Globals = globals;
        Builtins = builtins;
        var cells = Cells;
        if (cells.Length != 0)
        {
            int nc = Code.CellVars.Length;
            for (int i = 0; i < nc; i++) cells[i] = new PyCell();
            if (closure != null) for (int i = nc; i < cells.Length; i++) cells[i] = closure[i - nc];
        }
    }

    /// <summary>A returned, not escaped call frame: drop what it references and park it in its code's free slot.</summary>
    internal void Release()
    {
        Array.Clear(Stack); // locals and value stack (a return leaves its value and any loop iterators in place)
        if (Cells.Length != 0) Array.Clear(Cells);
        if (Blocks != null) Array.Clear(Blocks);
        BlockCount = 0;
        Sp = Code.NLocals;
        Ip = 0;
        Back = null;
        ThrowIn = null;
        Yielded = Finished = false;
        Code.FreeFrame = this;
    }

    public void PushBlock(int handler, int level, bool isHandler, PyBaseException? saved)
    {
        Blocks ??= new Block[4];
        if (BlockCount == Blocks.Length) Array.Resize(ref Blocks, BlockCount * 2);
        Blocks[BlockCount++] = new Block { Handler = handler, Level = level, IsHandler = isHandler, Saved = saved };
    }

    public int CurrentLine => Code.Lines.Length == 0 ? Code.FirstLine : Code.Lines[Math.Clamp(Ip - 1, 0, Code.Lines.Length - 1)];
}
