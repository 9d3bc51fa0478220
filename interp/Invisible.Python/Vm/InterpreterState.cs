using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Vm;

/// <summary>
/// The interpreter's per-execution state (<see cref="Interpreter.Depth"/>, <see cref="Interpreter.CurrentFrame"/>,
/// <see cref="Interpreter.CurrentExc"/>): saved, reset and restored by the native bridge when a C callback runs
/// Python on a thread other than the one whose Python is suspended in a native call (its interpreter lock makes
/// the two take turns). <see cref="Enter"/>/<see cref="Leave"/> are that lock's hooks around frame execution.
/// </summary>
public readonly struct InterpreterState
{
    public readonly int Depth;
    public readonly Frame? CurrentFrame;
    public readonly PyBaseException? CurrentExc;

    private InterpreterState(int depth, Frame? frame, PyBaseException? exc) { Depth = depth; CurrentFrame = frame; CurrentExc = exc; }

    public static InterpreterState Save() => new(Interpreter.Depth, Interpreter.CurrentFrame, Interpreter.CurrentExc);

    /// <summary>A fresh outermost state (as at the start of a program).</summary>
    public static void Reset()
    {
        Interpreter.Depth = 0;
        Interpreter.CurrentFrame = null;
        Interpreter.CurrentExc = null;
    }

    public void Restore()
    {
        Interpreter.Depth = Depth;
        Interpreter.CurrentFrame = CurrentFrame;
        Interpreter.CurrentExc = CurrentExc;
    }

    /// <summary>When set, called before every frame execution: returns true when it acquired the interpreter lock
    /// for this thread (its outermost frame); <see cref="Leave"/> is then called after that frame. Null (the default,
    /// no native callbacks exist) costs one static load per call.</summary>
    public static Func<bool>? Enter;
    public static Action? Leave;
}
