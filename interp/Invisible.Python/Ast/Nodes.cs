using System.Collections.Generic;
using Invisible.Python.Runtime;

namespace Invisible.Python.Ast;

/// <summary>A node's source range: <see cref="Line"/>/<see cref="Col"/> where it starts, <see cref="EndLine"/>/<see cref="EndCol"/>
/// just past its end (0-based columns; EndLine 0 when unknown), as CPython's lineno, col_offset, end_lineno, end_col_offset.</summary>
public abstract class Node { public int Line, Col, EndLine, EndCol; }
public abstract class Expr : Node { }
public abstract class Stmt : Node { }

public sealed class Name : Expr { public string Id = ""; }
/// <summary>A constant; <see cref="Negated"/>: folded by the parser from <c>-literal</c> (ast.parse shows the
/// UnaryOp CPython's parser keeps), <see cref="Kind"/>: "u" for a u-prefixed string (ast's Constant.kind).</summary>
public sealed class Constant : Expr { public PyObject Value = PyNone.Instance; public bool Negated; public string? Kind; }
public sealed class JoinedStr : Expr { public List<Expr> Parts = new(); }
public sealed class FormattedValue : Expr { public Expr Value = null!; public char Conv; public Expr? Spec; }
public sealed class BinOpE : Expr { public Expr Left = null!, Right = null!; public BinOp Op; }
public enum UnaryKind { Neg, Pos, Invert, Not }
public sealed class UnaryE : Expr { public UnaryKind Op; public Expr Operand = null!; }
public sealed class BoolOpE : Expr { public bool IsAnd; public List<Expr> Values = new(); }
public enum CmpKind { Lt, Le, Eq, Ne, Gt, Ge, Is, IsNot, In, NotIn }
public sealed class Compare : Expr { public Expr Left = null!; public List<CmpKind> Ops = new(); public List<Expr> Comparators = new(); }
public sealed class IfExp : Expr { public Expr Test = null!, Body = null!, OrElse = null!; }
public sealed class Lambda : Expr { public Arguments Args = null!; public Expr Body = null!; }
public sealed class NamedExpr : Expr { public Name Target = null!; public Expr Value = null!; }
public sealed class Keyword { public string? Name; public Expr Value = null!; }
public sealed class Call : Expr { public Expr Func = null!; public List<Expr> Args = new(); public List<Keyword> Keywords = new(); }
public sealed class Attribute : Expr { public Expr Value = null!; public string Attr = ""; }
public sealed class Subscript : Expr { public Expr Value = null!, Index = null!; }
public sealed class SliceE : Expr { public Expr? Lower, Upper, Step; }
public sealed class Starred : Expr { public Expr Value = null!; }
public sealed class ListE : Expr { public List<Expr> Elts = new(); }
public sealed class TupleE : Expr { public List<Expr> Elts = new(); }
public sealed class SetE : Expr { public List<Expr> Elts = new(); }
public sealed class DictE : Expr { public List<Expr?> Keys = new(); public List<Expr> Values = new(); }
public sealed class Comprehension { public Expr Target = null!, Iter = null!; public List<Expr> Ifs = new(); public bool IsAsync; }
public enum CompKind { List, Set, Dict, Gen }
public sealed class Comp : Expr { public CompKind Kind; public Expr Elt = null!; public Expr? Value; public List<Comprehension> Gens = new(); }
public sealed class Yield : Expr { public Expr? Value; }
public sealed class YieldFrom : Expr { public Expr Value = null!; }
public sealed class Await : Expr { public Expr Value = null!; }

/// <summary>A parameter; its position is its name's (symtable errors point at it).</summary>
public sealed class Arg : Node { public string Name = ""; public Expr? Annotation; }
public sealed class Arguments
{
    public List<Arg> PosOnly = new(), Args = new(), KwOnly = new();
    public List<Expr> Defaults = new();
    public List<Expr?> KwDefaults = new();
    public Arg? VarArg, KwArg;
}

public sealed class ExprStmt : Stmt { public Expr Value = null!; }
public sealed class Assign : Stmt { public List<Expr> Targets = new(); public Expr Value = null!; }
public sealed class AugAssign : Stmt { public Expr Target = null!; public BinOp Op; public Expr Value = null!; }
public sealed class AnnAssign : Stmt { public Expr Target = null!; public Expr Annotation = null!; public Expr? Value; public bool Simple; }
public sealed class If : Stmt { public Expr Test = null!; public List<Stmt> Body = new(), OrElse = new(); }
public sealed class While : Stmt { public Expr Test = null!; public List<Stmt> Body = new(), OrElse = new(); }
public sealed class For : Stmt { public Expr Target = null!, Iter = null!; public List<Stmt> Body = new(), OrElse = new(); public bool IsAsync; }
public sealed class Break : Stmt { }
public sealed class Continue : Stmt { }
public sealed class Pass : Stmt { }
public sealed class Return : Stmt { public Expr? Value; }
public sealed class FunctionDef : Stmt
{
    public string Name = ""; public Arguments Args = null!; public List<Stmt> Body = new();
    public List<Expr> Decorators = new(); public Expr? Returns; public bool IsAsync;
}
public sealed class ClassDef : Stmt
{
    public string Name = ""; public List<Expr> Bases = new(); public List<Keyword> Keywords = new();
    public List<Stmt> Body = new(); public List<Expr> Decorators = new();
}
public sealed class ExceptHandler { public Expr? Type; public string? Name; public List<Stmt> Body = new(); public int Line; }
public sealed class Try : Stmt { public List<Stmt> Body = new(), OrElse = new(), FinalBody = new(); public List<ExceptHandler> Handlers = new(); public bool IsStar; }
public sealed class Raise : Stmt { public Expr? Exc, Cause; }
public sealed class WithItem { public Expr Context = null!; public Expr? Vars; }
public sealed class With : Stmt { public List<WithItem> Items = new(); public List<Stmt> Body = new(); public bool IsAsync; }
public sealed class Assert : Stmt { public Expr Test = null!; public Expr? Msg; }
public sealed class Delete : Stmt { public List<Expr> Targets = new(); }
public sealed class Global : Stmt { public List<string> Names = new(); }
public sealed class Nonlocal : Stmt { public List<string> Names = new(); }
/// <summary>An imported name; <see cref="Line"/>/<see cref="Col"/>: where it stands (0 when unknown).</summary>
public sealed class Alias { public string Name = ""; public string? AsName; public int Line, Col; }
public sealed class Import : Stmt { public List<Alias> Names = new(); }
public sealed class ImportFrom : Stmt { public string? Module; public List<Alias> Names = new(); public int Level; }
public sealed class MatchCase { public Pattern Pattern = null!; public Expr? Guard; public List<Stmt> Body = new(); }
public sealed class Match : Stmt { public Expr Subject = null!; public List<MatchCase> Cases = new(); }

public abstract class Pattern : Node { }
public sealed class MatchValue : Pattern { public Expr Value = null!; }
public sealed class MatchSingleton : Pattern { public PyObject Value = null!; }
public sealed class MatchCapture : Pattern { public string? Name; public Pattern? Inner; }
public sealed class MatchSequence : Pattern { public List<Pattern> Items = new(); public int StarIndex = -1; public string? StarName; }
public sealed class MatchMapping : Pattern { public List<Expr> Keys = new(); public List<Pattern> Values = new(); public string? Rest; }
public sealed class MatchClass : Pattern { public Expr Cls = null!; public List<Pattern> Args = new(); public List<string> KwNames = new(); public List<Pattern> KwValues = new(); }
public sealed class MatchOr : Pattern { public List<Pattern> Alts = new(); }

/// <summary>A module; <see cref="Source"/>: its text when parsed from source (columns in code positions are UTF-8 byte
/// offsets, as CPython's: the compiler converts with it).</summary>
public sealed class ModuleNode
{
    public List<Stmt> Body = new(); public string? Source;
    /// <summary>eval mode: the body is one assignment to <c>__eval_result__</c> whose value the code returns.</summary>
    public bool IsEval;
    /// <summary>The tokenizer's SyntaxWarnings, issued when the module is compiled.</summary>
    public List<Lexing.SyntaxErrorException>? TokenizerWarnings;
}
