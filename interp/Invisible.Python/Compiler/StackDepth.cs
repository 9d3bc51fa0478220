using System;
using System.Collections.Generic;
using System.Numerics;

namespace Invisible.Python.Compiler;

/// <summary>Maximum value-stack depth of a code object, by abstract interpretation of stack effects.</summary>
public static class StackDepth
{
    public static int Compute(int[] code)
    {
        var depthAt = new int[code.Length + 1];
        Array.Fill(depthAt, -1);
        var work = new Stack<(int, int)>();
        work.Push((0, 0));
        int max = 0;
        while (work.Count > 0)
        {
            var (pc, depth) = work.Pop();
            while (pc < code.Length)
            {
                if (depthAt[pc] >= 0) break;
                depthAt[pc] = depth;
                if (depth > max) max = depth;
                var op = (Op)(code[pc] & 0xFF);
                int arg = code[pc] >>> 8;
                bool terminal = false;
                int eff;
                switch (op)
                {
                    case Op.Nop: case Op.RotTwo: case Op.RotThree: case Op.RotFour: case Op.KwNames: case Op.LoadAttr:
                    case Op.UnaryNeg: case Op.UnaryPos: case Op.UnaryInvert: case Op.UnaryNot: case Op.GetIter: case Op.ListToTuple:
                    case Op.DeleteFast: case Op.DeleteDeref: case Op.DeleteGlobal: case Op.DeleteName: case Op.YieldValue:
                    case Op.GetYieldFromIter: case Op.PopBlock: case Op.PopExcept: case Op.CheckExcMatch: case Op.GetLen:
                    case Op.GetAwaitable: case Op.GetAIter: case Op.AsyncGenWrap: case Op.CheckEgMatch: case Op.SetupAnnotations:
                        eff = 0; break;
                    case Op.PopTop: case Op.StoreFast: case Op.StoreDeref: case Op.StoreGlobal: case Op.StoreName: case Op.Binary:
                    case Op.Inplace: case Op.Compare: case Op.Is: case Op.IsNot: case Op.In: case Op.NotIn: case Op.BinarySubscr:
                    case Op.DeleteAttr: case Op.ListAppend: case Op.SetAdd: case Op.ListExtend: case Op.SetUpdate: case Op.DictUpdate:
                    case Op.DictMerge: case Op.YieldFrom: case Op.ImportName: case Op.ImportStar: case Op.PrintExpr:
                    case Op.MatchClass:
                        eff = -1; break;
                    case Op.DupTop: case Op.LoadConst: case Op.LoadFast: case Op.LoadDeref: case Op.LoadClosure: case Op.LoadClassDeref:
                    case Op.LoadGlobal: case Op.LoadName: case Op.LoadMethod: case Op.BeforeWith: case Op.WithExcept: case Op.ImportFrom:
                    case Op.LoadAssertionError: case Op.MatchSequence: case Op.MatchMapping: case Op.LoadSuperArgs:
                        eff = 1; break;
                    case Op.DupTopTwo: eff = 2; break;
                    case Op.WithExitNormal: eff = arg == 1 ? 0 : -1; break; // arg 1 (async with): pushes __aexit__'s result
                    case Op.GetANext: case Op.BeforeAsyncWith: eff = 1; break;
                    case Op.EndAsyncFor: eff = -2; break;
                    case Op.PrepReraiseStar: eff = -1; break;
                    case Op.StoreAttr: case Op.DeleteSubscr: case Op.MapAdd: eff = -2; break;
                    case Op.StoreSubscr: eff = -3; break;
                    case Op.CallMethod: eff = -arg - 1; break;
                    case Op.Call: eff = -arg; break;
                    case Op.CallEx: eff = -1 - (arg & 1); break;
                    case Op.BuildSlice: eff = 1 - arg; break;
                    case Op.BuildTuple: case Op.BuildList: case Op.BuildSet: case Op.BuildString: eff = 1 - arg; break;
                    case Op.BuildMap: eff = 1 - 2 * arg; break;
                    case Op.FormatValue: eff = (arg & 4) != 0 ? -1 : 0; break;
                    case Op.UnpackSequence: eff = arg - 1; break;
                    case Op.UnpackEx: eff = (arg & 0xFF) + (arg >> 8); break;
                    case Op.MakeFunction: eff = -BitOperations.PopCount((uint)(arg & 15)); break;
                    case Op.BuildClass: eff = -3; break;
                    case Op.MatchKeys: eff = arg != 0 ? 1 : 0; break;
                    case Op.CopyDictWithoutKeys: eff = 0; break;
                    case Op.ReturnValue: case Op.Reraise: eff = -1; terminal = true; break;
                    case Op.Raise: eff = -arg; terminal = true; break;
                    case Op.Jump: work.Push((arg, depth)); eff = 0; terminal = true; break;
                    case Op.PopJumpIfFalse: case Op.PopJumpIfTrue: work.Push((arg, depth - 1)); eff = -1; break;
                    case Op.JumpIfFalseOrPop: case Op.JumpIfTrueOrPop: work.Push((arg, depth)); eff = -1; break;
                    case Op.ForIter: work.Push((arg, depth - 1)); eff = 1; break;
                    case Op.SetupExcept: work.Push((arg, depth + 1)); eff = 0; break;
                    case Op.SetupWith: work.Push((arg, depth)); eff = 0; break;
                    default: eff = 0; break;
                }
                if (terminal) break;
                depth += eff;
                pc++;
            }
        }
        return max;
    }
}
