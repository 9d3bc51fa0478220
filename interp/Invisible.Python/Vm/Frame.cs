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
    public readonly PyDict Globals;
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

    public void PushBlock(int handler, int level, bool isHandler, PyBaseException? saved)
    {
        Blocks ??= new Block[4];
        if (BlockCount == Blocks.Length) Array.Resize(ref Blocks, BlockCount * 2);
        Blocks[BlockCount++] = new Block { Handler = handler, Level = level, IsHandler = isHandler, Saved = saved };
    }

    public int CurrentLine => Code.Lines.Length == 0 ? Code.FirstLine : Code.Lines[Math.Clamp(Ip - 1, 0, Code.Lines.Length - 1)];
}
