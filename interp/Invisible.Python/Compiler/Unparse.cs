using System.Text;
using Invisible.Python.Ast;
using Invisible.Python.Runtime;

namespace Invisible.Python.Compiler;

/// <summary>Expression source text from the AST, as CPython's Python/ast_unparse.c writes it (PEP 563: under
/// <c>from __future__ import annotations</c> every annotation is stored as this string). Parentheses follow
/// operator precedence, not the original source.</summary>
internal static class Unparse
{
    // CPython's precedence levels (ast_unparse.c), lowest first
    private const int Tuple = 0, Test = 1, Or = 2, And = 3, Not = 4, Cmp = 5, BOr = 6, BXor = 7, BAnd = 8, Shift = 9,
        Arith = 10, Term = 11, Factor = 12, Power = 13, Await = 14, Atom = 15;

    public static string Annotation(Expr e)
    {
        var sb = new StringBuilder();
        Append(sb, e, Test);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, Expr e, int level)
    {
        switch (e)
        {
            case Name n: sb.Append(n.Id); break;
            case Constant c:
                if (c.Value is PyEllipsis) sb.Append("...");
                else sb.Append(Ops.Repr(c.Value));
                break;
            case Attribute a:
                Append(sb, a.Value, Atom);
                if (a.Value is Constant { Value: PyInt }) sb.Append(' ');
                sb.Append('.').Append(a.Attr);
                break;
            case Subscript s:
                Append(sb, s.Value, Atom);
                sb.Append('[');
                if (s.Index is TupleE t && t.Elts.Count > 0)
                {
                    for (int i = 0; i < t.Elts.Count; i++) { if (i > 0) sb.Append(", "); Append(sb, t.Elts[i], Test); }
                    if (t.Elts.Count == 1) sb.Append(',');
                }
                else Append(sb, s.Index, Tuple);
                sb.Append(']');
                break;
            case SliceE sl:
                if (sl.Lower != null) Append(sb, sl.Lower, Test);
                sb.Append(':');
                if (sl.Upper != null) Append(sb, sl.Upper, Test);
                if (sl.Step != null) { sb.Append(':'); Append(sb, sl.Step, Test); }
                break;
            case TupleE tup:
                if (tup.Elts.Count == 0) { sb.Append("()"); break; }
                if (level > Tuple) sb.Append('(');
                for (int i = 0; i < tup.Elts.Count; i++) { if (i > 0) sb.Append(", "); Append(sb, tup.Elts[i], Test); }
                if (tup.Elts.Count == 1) sb.Append(',');
                if (level > Tuple) sb.Append(')');
                break;
            case ListE l: Seq(sb, "[", l.Elts, "]"); break;
            case SetE st: Seq(sb, "{", st.Elts, "}"); break;
            case DictE d:
                sb.Append('{');
                for (int i = 0; i < d.Values.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    if (d.Keys[i] is Expr k) { Append(sb, k, Test); sb.Append(": "); Append(sb, d.Values[i], Test); }
                    else { sb.Append("**"); Append(sb, d.Values[i], BOr); }
                }
                sb.Append('}');
                break;
            case Starred st2: sb.Append('*'); Append(sb, st2.Value, BOr); break;
            case Call call:
                Append(sb, call.Func, Atom);
                sb.Append('(');
                bool first = true;
                foreach (var a in call.Args) { if (!first) sb.Append(", "); first = false; Append(sb, a, Test); }
                foreach (var kw in call.Keywords)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    if (kw.Name == null) sb.Append("**"); else sb.Append(kw.Name).Append('=');
                    Append(sb, kw.Value, Test);
                }
                sb.Append(')');
                break;
            case BinOpE b:
                {
                    var (op, pr) = BinOpText(b.Op);
                    bool rightAssoc = b.Op == BinOp.Pow;
                    if (level > pr) sb.Append('(');
                    Append(sb, b.Left, rightAssoc ? pr + 1 : pr);
                    sb.Append(op);
                    Append(sb, b.Right, rightAssoc ? pr : pr + 1);
                    if (level > pr) sb.Append(')');
                    break;
                }
            case UnaryE u:
                {
                    int pr = u.Op == UnaryKind.Not ? Not : Factor;
                    if (level > pr) sb.Append('(');
                    sb.Append(u.Op switch { UnaryKind.Not => "not ", UnaryKind.Neg => "-", UnaryKind.Pos => "+", _ => "~" });
                    Append(sb, u.Operand, pr);
                    if (level > pr) sb.Append(')');
                    break;
                }
            case BoolOpE bo:
                {
                    int pr = bo.IsAnd ? And : Or;
                    if (level > pr) sb.Append('(');
                    for (int i = 0; i < bo.Values.Count; i++) { if (i > 0) sb.Append(bo.IsAnd ? " and " : " or "); Append(sb, bo.Values[i], pr + 1); }
                    if (level > pr) sb.Append(')');
                    break;
                }
            case Compare cmp:
                if (level > Cmp) sb.Append('(');
                Append(sb, cmp.Left, Cmp + 1);
                for (int i = 0; i < cmp.Ops.Count; i++)
                {
                    sb.Append(cmp.Ops[i] switch
                    {
                        CmpKind.Lt => " < ", CmpKind.Le => " <= ", CmpKind.Eq => " == ", CmpKind.Ne => " != ", CmpKind.Gt => " > ",
                        CmpKind.Ge => " >= ", CmpKind.Is => " is ", CmpKind.IsNot => " is not ", CmpKind.In => " in ", _ => " not in ",
                    });
                    Append(sb, cmp.Comparators[i], Cmp + 1);
                }
                if (level > Cmp) sb.Append(')');
                break;
            case IfExp ie:
                if (level > Test) sb.Append('(');
                Append(sb, ie.Body, Test + 1);
                sb.Append(" if ");
                Append(sb, ie.Test, Test + 1);
                sb.Append(" else ");
                Append(sb, ie.OrElse, Test);
                if (level > Test) sb.Append(')');
                break;
            case Lambda lam:
                {
                    if (level > Test) sb.Append('(');
                    sb.Append("lambda");
                    var names = new System.Collections.Generic.List<string>();
                    foreach (var p in lam.Args.PosOnly) names.Add(p.Name);
                    foreach (var p in lam.Args.Args) names.Add(p.Name);
                    if (lam.Args.VarArg != null) names.Add("*" + lam.Args.VarArg.Name);
                    foreach (var p in lam.Args.KwOnly) names.Add(p.Name);
                    if (lam.Args.KwArg != null) names.Add("**" + lam.Args.KwArg.Name);
                    if (names.Count > 0) sb.Append(' ').Append(string.Join(", ", names));
                    sb.Append(": ");
                    Append(sb, lam.Body, Test);
                    if (level > Test) sb.Append(')');
                    break;
                }
            case Await aw:
                if (level > Await) sb.Append('(');
                sb.Append("await ");
                Append(sb, aw.Value, Atom);
                if (level > Await) sb.Append(')');
                break;
            default:
                sb.Append("...");
                break;
        }
    }

    private static void Seq(StringBuilder sb, string open, System.Collections.Generic.List<Expr> items, string close)
    {
        sb.Append(open);
        for (int i = 0; i < items.Count; i++) { if (i > 0) sb.Append(", "); Append(sb, items[i], Test); }
        sb.Append(close);
    }

    private static (string, int) BinOpText(BinOp op) => op switch
    {
        BinOp.Add => (" + ", Arith), BinOp.Sub => (" - ", Arith), BinOp.Mul => (" * ", Term), BinOp.MatMul => (" @ ", Term),
        BinOp.TrueDiv => (" / ", Term), BinOp.FloorDiv => (" // ", Term), BinOp.Mod => (" % ", Term), BinOp.Pow => (" ** ", Power),
        BinOp.LShift => (" << ", Shift), BinOp.RShift => (" >> ", Shift), BinOp.And => (" & ", BAnd), BinOp.Or => (" | ", BOr),
        _ => (" ^ ", BXor),
    };
}
