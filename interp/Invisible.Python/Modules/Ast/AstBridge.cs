using Invisible.Python.Ast;
using Invisible.Python.Builtins;
using Invisible.Python.Compiler;
using Invisible.Python.Lexing;
using Invisible.Python.Parsing;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Ast;

/// <summary>What the builtin <c>compile()</c> does with <c>_ast</c>: parse source into a tree
/// (<c>PyCF_ONLY_AST</c>, <c>ast.parse</c>) and compile a tree into code.</summary>
public static class AstBridge
{
    /// <summary>The <c>_ast</c> tree of <paramref name="text"/> in <paramref name="mode"/> (exec, eval, single).</summary>
    public static PyObject Parse(string text, string filename, string mode)
    {
        try
        {
            switch (mode)
            {
                case "eval": { var t = text.Trim(); return AstToPython.Expression(Parser.ParseExpression(t), t); }
                case "single": return AstToPython.Interactive(Parser.ParseModule(text, astOnly: true));
                case "func_type": throw Ops.ValueError("compile() mode 'func_type' is not supported");
                default: return AstToPython.Module(Parser.ParseModule(text, astOnly: true));
            }
        }
        catch (SyntaxErrorException e)
        {
            throw PythonEngine.MakeSyntaxError(e, filename, text);
        }
    }

    /// <summary>Code for an <c>_ast</c> tree: Module for exec, Expression for eval, Interactive for single
    /// (CPython's "expected Module node got Expression" and friends otherwise).</summary>
    public static PyObject CompileTree(PyObject tree, string filename, string mode)
    {
        string expected = mode switch { "eval" => "Expression", "single" => "Interactive", _ => "Module" };
        if (!tree.Type.IsSubtypeOf(AstModule.T(expected)))
            throw Ops.TypeError($"expected {expected} node, got {tree.Type.Name}");
        ModuleNode m;
        if (mode == "eval")
        {
            var body = new AstFromPython().Expr(Ops.GetAttr(tree, "body"), "Expression");
            m = new ModuleNode { IsEval = true };
            // as PythonEngine compiles "eval" source: the code returns the expression's value
            m.Body.Add(new Assign { Targets = { new Name { Id = "__eval_result__", Line = body.Line } }, Value = body, Line = body.Line });
        }
        else m = new ModuleNode { Body = new AstFromPython().Stmts(Ops.GetAttr(tree, "body"), expected) };
        try
        {
            return new PyCompiled(CodeGen.CompileModule(m, filename, mode == "single"), filename, mode);
        }
        catch (SyntaxErrorException e)
        {
            throw PythonEngine.MakeSyntaxError(e, filename, "");
        }
    }
}
