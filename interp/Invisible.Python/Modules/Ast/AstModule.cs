using System;
using System.Collections.Generic;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Ast;

/// <summary>
/// <c>_ast</c>: the node classes of CPython 3.11's <c>Parser/Python.asdl</c> (what CPython generates into
/// <c>Python/Python-ast.c</c>), made from the table below: each class's base, <c>_fields</c>, <c>_attributes</c>,
/// the optional fields (class attributes set to None, as CPython does) and its docstring (the ASDL signature).
/// The classes are heap types as in CPython (Lib's ast sets <c>Constant.n</c> and friends on them); instances are
/// plain objects with a <c>__dict__</c>. <see cref="AstToPython"/> turns the parser's tree into them (<c>compile(..., PyCF_ONLY_AST)</c>),
/// <see cref="AstFromPython"/> turns them back into the parser's tree (<c>compile(tree, ...)</c>).
/// </summary>
public static class AstModule
{
    public const int PyCF_ONLY_AST = 0x400, PyCF_TYPE_COMMENTS = 0x1000, PyCF_ALLOW_TOP_LEVEL_AWAIT = 0x2000;

    /// <summary>name|base|fields|attributes ('-': inherited)|optional fields|doc, bases before the classes deriving
    /// from them.</summary>
    private static readonly string[] Table =
    {
        "mod|AST||||mod = Module(stmt* body, type_ignore* type_ignores)\n    | Interactive(stmt* body)\n    | Expression(expr body)\n    | FunctionType(expr* argtypes, expr returns)",
        "Module|mod|body type_ignores|-||Module(stmt* body, type_ignore* type_ignores)",
        "Interactive|mod|body|-||Interactive(stmt* body)",
        "Expression|mod|body|-||Expression(expr body)",
        "FunctionType|mod|argtypes returns|-||FunctionType(expr* argtypes, expr returns)",
        "stmt|AST||lineno col_offset end_lineno end_col_offset|end_lineno end_col_offset|stmt = FunctionDef(identifier name, arguments args, stmt* body, expr* decorator_list, expr? returns, string? type_comment)\n     | AsyncFunctionDef(identifier name, arguments args, stmt* body, expr* decorator_list, expr? returns, string? type_comment)\n     | ClassDef(identifier name, expr* bases, keyword* keywords, stmt* body, expr* decorator_list)\n     | Return(expr? value)\n     | Delete(expr* targets)\n     | Assign(expr* targets, expr value, string? type_comment)\n     | AugAssign(expr target, operator op, expr value)\n     | AnnAssign(expr target, expr annotation, expr? value, int simple)\n     | For(expr target, expr iter, stmt* body, stmt* orelse, string? type_comment)\n     | AsyncFor(expr target, expr iter, stmt* body, stmt* orelse, string? type_comment)\n     | While(expr test, stmt* body, stmt* orelse)\n     | If(expr test, stmt* body, stmt* orelse)\n     | With(withitem* items, stmt* body, string? type_comment)\n     | AsyncWith(withitem* items, stmt* body, string? type_comment)\n     | Match(expr subject, match_case* cases)\n     | Raise(expr? exc, expr? cause)\n     | Try(stmt* body, excepthandler* handlers, stmt* orelse, stmt* finalbody)\n     | TryStar(stmt* body, excepthandler* handlers, stmt* orelse, stmt* finalbody)\n     | Assert(expr test, expr? msg)\n     | Import(alias* names)\n     | ImportFrom(identifier? module, alias* names, int? level)\n     | Global(identifier* names)\n     | Nonlocal(identifier* names)\n     | Expr(expr value)\n     | Pass\n     | Break\n     | Continue",
        "FunctionDef|stmt|name args body decorator_list returns type_comment|-|returns type_comment|FunctionDef(identifier name, arguments args, stmt* body, expr* decorator_list, expr? returns, string? type_comment)",
        "AsyncFunctionDef|stmt|name args body decorator_list returns type_comment|-|returns type_comment|AsyncFunctionDef(identifier name, arguments args, stmt* body, expr* decorator_list, expr? returns, string? type_comment)",
        "ClassDef|stmt|name bases keywords body decorator_list|-||ClassDef(identifier name, expr* bases, keyword* keywords, stmt* body, expr* decorator_list)",
        "Return|stmt|value|-|value|Return(expr? value)",
        "Delete|stmt|targets|-||Delete(expr* targets)",
        "Assign|stmt|targets value type_comment|-|type_comment|Assign(expr* targets, expr value, string? type_comment)",
        "AugAssign|stmt|target op value|-||AugAssign(expr target, operator op, expr value)",
        "AnnAssign|stmt|target annotation value simple|-|value|AnnAssign(expr target, expr annotation, expr? value, int simple)",
        "For|stmt|target iter body orelse type_comment|-|type_comment|For(expr target, expr iter, stmt* body, stmt* orelse, string? type_comment)",
        "AsyncFor|stmt|target iter body orelse type_comment|-|type_comment|AsyncFor(expr target, expr iter, stmt* body, stmt* orelse, string? type_comment)",
        "While|stmt|test body orelse|-||While(expr test, stmt* body, stmt* orelse)",
        "If|stmt|test body orelse|-||If(expr test, stmt* body, stmt* orelse)",
        "With|stmt|items body type_comment|-|type_comment|With(withitem* items, stmt* body, string? type_comment)",
        "AsyncWith|stmt|items body type_comment|-|type_comment|AsyncWith(withitem* items, stmt* body, string? type_comment)",
        "Match|stmt|subject cases|-||Match(expr subject, match_case* cases)",
        "Raise|stmt|exc cause|-|exc cause|Raise(expr? exc, expr? cause)",
        "Try|stmt|body handlers orelse finalbody|-||Try(stmt* body, excepthandler* handlers, stmt* orelse, stmt* finalbody)",
        "TryStar|stmt|body handlers orelse finalbody|-||TryStar(stmt* body, excepthandler* handlers, stmt* orelse, stmt* finalbody)",
        "Assert|stmt|test msg|-|msg|Assert(expr test, expr? msg)",
        "Import|stmt|names|-||Import(alias* names)",
        "ImportFrom|stmt|module names level|-|module level|ImportFrom(identifier? module, alias* names, int? level)",
        "Global|stmt|names|-||Global(identifier* names)",
        "Nonlocal|stmt|names|-||Nonlocal(identifier* names)",
        "Expr|stmt|value|-||Expr(expr value)",
        "Pass|stmt||-||Pass",
        "Break|stmt||-||Break",
        "Continue|stmt||-||Continue",
        "expr|AST||lineno col_offset end_lineno end_col_offset|end_lineno end_col_offset|expr = BoolOp(boolop op, expr* values)\n     | NamedExpr(expr target, expr value)\n     | BinOp(expr left, operator op, expr right)\n     | UnaryOp(unaryop op, expr operand)\n     | Lambda(arguments args, expr body)\n     | IfExp(expr test, expr body, expr orelse)\n     | Dict(expr* keys, expr* values)\n     | Set(expr* elts)\n     | ListComp(expr elt, comprehension* generators)\n     | SetComp(expr elt, comprehension* generators)\n     | DictComp(expr key, expr value, comprehension* generators)\n     | GeneratorExp(expr elt, comprehension* generators)\n     | Await(expr value)\n     | Yield(expr? value)\n     | YieldFrom(expr value)\n     | Compare(expr left, cmpop* ops, expr* comparators)\n     | Call(expr func, expr* args, keyword* keywords)\n     | FormattedValue(expr value, int conversion, expr? format_spec)\n     | JoinedStr(expr* values)\n     | Constant(constant value, string? kind)\n     | Attribute(expr value, identifier attr, expr_context ctx)\n     | Subscript(expr value, expr slice, expr_context ctx)\n     | Starred(expr value, expr_context ctx)\n     | Name(identifier id, expr_context ctx)\n     | List(expr* elts, expr_context ctx)\n     | Tuple(expr* elts, expr_context ctx)\n     | Slice(expr? lower, expr? upper, expr? step)",
        "BoolOp|expr|op values|-||BoolOp(boolop op, expr* values)",
        "NamedExpr|expr|target value|-||NamedExpr(expr target, expr value)",
        "BinOp|expr|left op right|-||BinOp(expr left, operator op, expr right)",
        "UnaryOp|expr|op operand|-||UnaryOp(unaryop op, expr operand)",
        "Lambda|expr|args body|-||Lambda(arguments args, expr body)",
        "IfExp|expr|test body orelse|-||IfExp(expr test, expr body, expr orelse)",
        "Dict|expr|keys values|-||Dict(expr* keys, expr* values)",
        "Set|expr|elts|-||Set(expr* elts)",
        "ListComp|expr|elt generators|-||ListComp(expr elt, comprehension* generators)",
        "SetComp|expr|elt generators|-||SetComp(expr elt, comprehension* generators)",
        "DictComp|expr|key value generators|-||DictComp(expr key, expr value, comprehension* generators)",
        "GeneratorExp|expr|elt generators|-||GeneratorExp(expr elt, comprehension* generators)",
        "Await|expr|value|-||Await(expr value)",
        "Yield|expr|value|-|value|Yield(expr? value)",
        "YieldFrom|expr|value|-||YieldFrom(expr value)",
        "Compare|expr|left ops comparators|-||Compare(expr left, cmpop* ops, expr* comparators)",
        "Call|expr|func args keywords|-||Call(expr func, expr* args, keyword* keywords)",
        "FormattedValue|expr|value conversion format_spec|-|format_spec|FormattedValue(expr value, int conversion, expr? format_spec)",
        "JoinedStr|expr|values|-||JoinedStr(expr* values)",
        "Constant|expr|value kind|-|kind|Constant(constant value, string? kind)",
        "Attribute|expr|value attr ctx|-||Attribute(expr value, identifier attr, expr_context ctx)",
        "Subscript|expr|value slice ctx|-||Subscript(expr value, expr slice, expr_context ctx)",
        "Starred|expr|value ctx|-||Starred(expr value, expr_context ctx)",
        "Name|expr|id ctx|-||Name(identifier id, expr_context ctx)",
        "List|expr|elts ctx|-||List(expr* elts, expr_context ctx)",
        "Tuple|expr|elts ctx|-||Tuple(expr* elts, expr_context ctx)",
        "Slice|expr|lower upper step|-|lower upper step|Slice(expr? lower, expr? upper, expr? step)",
        "expr_context|AST||||expr_context = Load | Store | Del",
        "Load|expr_context||-||Load",
        "Store|expr_context||-||Store",
        "Del|expr_context||-||Del",
        "boolop|AST||||boolop = And | Or",
        "And|boolop||-||And",
        "Or|boolop||-||Or",
        "operator|AST||||operator = Add | Sub | Mult | MatMult | Div | Mod | Pow | LShift | RShift | BitOr | BitXor | BitAnd | FloorDiv",
        "Add|operator||-||Add",
        "Sub|operator||-||Sub",
        "Mult|operator||-||Mult",
        "MatMult|operator||-||MatMult",
        "Div|operator||-||Div",
        "Mod|operator||-||Mod",
        "Pow|operator||-||Pow",
        "LShift|operator||-||LShift",
        "RShift|operator||-||RShift",
        "BitOr|operator||-||BitOr",
        "BitXor|operator||-||BitXor",
        "BitAnd|operator||-||BitAnd",
        "FloorDiv|operator||-||FloorDiv",
        "unaryop|AST||||unaryop = Invert | Not | UAdd | USub",
        "Invert|unaryop||-||Invert",
        "Not|unaryop||-||Not",
        "UAdd|unaryop||-||UAdd",
        "USub|unaryop||-||USub",
        "cmpop|AST||||cmpop = Eq | NotEq | Lt | LtE | Gt | GtE | Is | IsNot | In | NotIn",
        "Eq|cmpop||-||Eq",
        "NotEq|cmpop||-||NotEq",
        "Lt|cmpop||-||Lt",
        "LtE|cmpop||-||LtE",
        "Gt|cmpop||-||Gt",
        "GtE|cmpop||-||GtE",
        "Is|cmpop||-||Is",
        "IsNot|cmpop||-||IsNot",
        "In|cmpop||-||In",
        "NotIn|cmpop||-||NotIn",
        "comprehension|AST|target iter ifs is_async|||comprehension(expr target, expr iter, expr* ifs, int is_async)",
        "excepthandler|AST||lineno col_offset end_lineno end_col_offset|end_lineno end_col_offset|excepthandler = ExceptHandler(expr? type, identifier? name, stmt* body)",
        "ExceptHandler|excepthandler|type name body|-|type name|ExceptHandler(expr? type, identifier? name, stmt* body)",
        "arguments|AST|posonlyargs args vararg kwonlyargs kw_defaults kwarg defaults||vararg kwarg|arguments(arg* posonlyargs, arg* args, arg? vararg, arg* kwonlyargs, expr* kw_defaults, arg? kwarg, expr* defaults)",
        "arg|AST|arg annotation type_comment|lineno col_offset end_lineno end_col_offset|annotation type_comment end_lineno end_col_offset|arg(identifier arg, expr? annotation, string? type_comment)",
        "keyword|AST|arg value|lineno col_offset end_lineno end_col_offset|arg end_lineno end_col_offset|keyword(identifier? arg, expr value)",
        "alias|AST|name asname|lineno col_offset end_lineno end_col_offset|asname end_lineno end_col_offset|alias(identifier name, identifier? asname)",
        "withitem|AST|context_expr optional_vars||optional_vars|withitem(expr context_expr, expr? optional_vars)",
        "match_case|AST|pattern guard body||guard|match_case(pattern pattern, expr? guard, stmt* body)",
        "pattern|AST||lineno col_offset end_lineno end_col_offset||pattern = MatchValue(expr value)\n        | MatchSingleton(constant value)\n        | MatchSequence(pattern* patterns)\n        | MatchMapping(expr* keys, pattern* patterns, identifier? rest)\n        | MatchClass(expr cls, pattern* patterns, identifier* kwd_attrs, pattern* kwd_patterns)\n        | MatchStar(identifier? name)\n        | MatchAs(pattern? pattern, identifier? name)\n        | MatchOr(pattern* patterns)",
        "MatchValue|pattern|value|-||MatchValue(expr value)",
        "MatchSingleton|pattern|value|-||MatchSingleton(constant value)",
        "MatchSequence|pattern|patterns|-||MatchSequence(pattern* patterns)",
        "MatchMapping|pattern|keys patterns rest|-|rest|MatchMapping(expr* keys, pattern* patterns, identifier? rest)",
        "MatchClass|pattern|cls patterns kwd_attrs kwd_patterns|-||MatchClass(expr cls, pattern* patterns, identifier* kwd_attrs, pattern* kwd_patterns)",
        "MatchStar|pattern|name|-|name|MatchStar(identifier? name)",
        "MatchAs|pattern|pattern name|-|pattern name|MatchAs(pattern? pattern, identifier? name)",
        "MatchOr|pattern|patterns|-||MatchOr(pattern* patterns)",
        "type_ignore|AST||||type_ignore = TypeIgnore(int lineno, string tag)",
        "TypeIgnore|type_ignore|lineno tag|-||TypeIgnore(int lineno, string tag)",
    };

    public static readonly PyType AstType = MakeAstType();
    private static readonly Dictionary<string, PyType> Types = MakeTypes();

    /// <summary>The node class called <paramref name="name"/> (e.g. "BinOp").</summary>
    public static PyType T(string name) => Types[name];

    public static PyModule Create()
    {
        var m = new PyModule("_ast");
        m.Add("AST", AstType);
        foreach (var line in Table)
        {
            var name = line.Substring(0, line.IndexOf('|'));
            m.Add(name, Types[name]);
        }
        m.Add("PyCF_ONLY_AST", PyInt.Get(PyCF_ONLY_AST));
        m.Add("PyCF_TYPE_COMMENTS", PyInt.Get(PyCF_TYPE_COMMENTS));
        m.Add("PyCF_ALLOW_TOP_LEVEL_AWAIT", PyInt.Get(PyCF_ALLOW_TOP_LEVEL_AWAIT));
        return m;
    }

    private static PyTuple Names(string spaceSeparated)
    {
        if (spaceSeparated.Length == 0) return PyTuple.Empty;
        var parts = spaceSeparated.Split(' ');
        var items = new PyObject[parts.Length];
        for (int i = 0; i < parts.Length; i++) items[i] = PyStr.Intern(parts[i]);
        return new PyTuple(items);
    }

    private static PyType MakeAstType()
    {
        var t = new PyType("AST", PyType.ObjectType, (cls, a, k) => new PyInstance(cls), isHeap: true) { ModuleName = "ast" };
        t.SetMember("_fields", PyTuple.Empty);
        t.SetMember("_attributes", PyTuple.Empty);
        t.SetMember("__match_args__", PyTuple.Empty);
        t.AddMethod("__init__", Init);
        t.AddMethod("__reduce__", (a, k) =>
        {
            var self = a[0];
            var d = self.Dict;
            return d == null || d.Count == 0
                ? new PyTuple(new PyObject[] { self.Type, PyTuple.Empty, new PyDict() })
                : new PyTuple(new PyObject[] { self.Type, PyTuple.Empty, d });
        });
        return t;
    }

    private static Dictionary<string, PyType> MakeTypes()
    {
        var types = new Dictionary<string, PyType>(StringComparer.Ordinal) { ["AST"] = AstType };
        foreach (var line in Table)
        {
            var cols = line.Split('|');
            var t = new PyType(cols[0], types[cols[1]], null, isHeap: true) { ModuleName = "ast" };
            var fields = Names(cols[2]);
            t.SetMember("_fields", fields);
            t.SetMember("__match_args__", fields);
            if (cols[3] != "-") t.SetMember("_attributes", Names(cols[3]));
            if (cols[4].Length > 0) foreach (var opt in cols[4].Split(' ')) t.SetMember(opt, PyNone.Instance);
            t.SetMember("__doc__", PyStr.Of(cols[5]));
            types[cols[0]] = t;
        }
        return types;
    }

    /// <summary>AST.__init__(*args, **kwargs): positional arguments fill <c>_fields</c> in order, keywords set any
    /// attribute (CPython's ast_type_init).</summary>
    private static PyObject Init(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var self = a[0];
        int nkw = k?.Length ?? 0;
        int npos = a.Length - 1 - nkw;
        if (npos > 0)
        {
            var fieldsObj = Ops.GetAttr(self.Type, PyStr.Intern("_fields"));
            var fields = fieldsObj as PyTuple ?? new PyTuple(Ops.ToArray(fieldsObj));
            if (npos > fields.Items.Length)
                throw Ops.TypeError($"{self.Type.Name} constructor takes at most {fields.Items.Length} positional argument{(fields.Items.Length == 1 ? "" : "s")}");
            for (int i = 0; i < npos; i++) Ops.SetAttr(self, (PyStr)fields.Items[i], a[1 + i]);
        }
        for (int j = 0; j < nkw; j++) Ops.SetAttr(self, k![j], a[1 + npos + j]);
        return PyNone.Instance;
    }
}
