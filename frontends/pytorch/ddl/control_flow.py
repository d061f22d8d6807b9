"""Data-dependent Python control flow in captured programs (DyCL's capture).

Tracing follows one path through `if x.mean() > 0:`; ddl instead rewrites
the program's control flow into calls of the helpers in `Runtime`, by
program analysis of the Python source (`ast`) of `forward`, of the other
methods of the user's module classes, and of a compiled function:

* `if test:` becomes `names = rt.cond(test, then_fn, else_fn, names)`, the
  branches being nested functions that take and return the variables
  either branch assigns. An `if` whose branch returns (early exit) takes
  the rest of the function into its other branch, and the whole becomes
  `return rt.cond(...)`. `a if test else b` becomes `rt.cond_expr`.
* `while test:` and `for i in range(...)` become `names = rt.loop(test_fn,
  body_fn, names)` over the variables the body assigns; a `break` becomes
  a carried flag that the loop's condition reads, and the statements after
  it run under `if flag:`; a `continue` likewise, with a flag each
  iteration starts with set.
* `and` / `or` / `not` in the tests of those become `rt.and_` / `rt.or_` /
  `rt.not_`, which keep Python's short circuit on Python values.

At run time (while tracing) a helper whose test is a Python value does
exactly what the Python statement did, so shape checks, config flags and
loops over Python ranges trace as before (unrolled). When the test is a
tensor, the capture records both branches (the loop's body) as sub-graphs
of one node (`trace_cond` / `trace_loop` below, on the tracer's
GraphContexts), which the converter writes as `nn.if` / `nn.loop`
(docs/architecture.md, "Dynamic networks").

Statements that cannot be rewritten (a `return` inside a `while` loop, a
`yield`) are left as they are: if their test turns out to be a tensor, the
capture fails naming the line. A branch or loop body on a tensor that
assigns attributes or items, or mutates a list, is refused the same way.
"""

import ast
import contextlib
import functools
import inspect
import operator
import textwrap
import types

import torch
import torch.fx as fx
import torch.utils._pytree as pytree

from .errors import DataDependentControlFlowError

_PREFIX = "__ddl_"
_RT = "__ddl_rt"


# --------------------------------------------------------------------------
# Program analysis


def _walk_scope(node):
    """The nodes under `node` in its own scope (not inside nested
    functions, lambdas, classes or comprehensions)."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
                          ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        stack.extend(ast.iter_child_nodes(n))


def _walk_stmts(stmts):
    for s in stmts:
        yield s
        yield from _walk_scope(s)


def _assigned(stmts):
    """Names the statements bind in the enclosing scope, in order of first
    binding."""
    names = []
    for n in _walk_stmts(stmts):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            target = n.id
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            target = n.name
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            for alias in n.names:
                name = (alias.asname or alias.name).split(".")[0]
                if name not in names:
                    names.append(name)
            continue
        else:
            continue
        if target not in names:
            names.append(target)
    return names


def _loop_level(stmts, kinds):
    """Whether `stmts` contain one of `kinds` that belongs to the loop (or
    function) around them, not to a loop nested in them."""
    stack = list(stmts)
    while stack:
        n = stack.pop()
        if isinstance(n, kinds):
            return True
        if isinstance(n, (ast.For, ast.While, ast.AsyncFor)):
            stack.extend(n.orelse)
            continue
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(c for c in ast.iter_child_nodes(n) if isinstance(c, ast.stmt))
    return False


def _has(stmts, kinds):
    return any(isinstance(n, kinds) for n in _walk_stmts(stmts))


def _returns_only_in_tail_ifs(stmts):
    """Whether every `return` in `stmts` sits in statement lists made of
    ifs only (so the continuation can move into the other branch)."""
    for n in _walk_stmts(stmts):
        if isinstance(n, (ast.For, ast.While, ast.AsyncFor, ast.With, ast.AsyncWith, ast.Try)) and _has(
            [n], ast.Return
        ):
            return False
    return True


def _side_effect_lines(stmts):
    """Lines that change something other than a local variable: attribute
    and item assignment, and list/dict/set mutation through a method call
    on a variable the statements do not bind themselves."""
    local = set(_assigned(stmts))
    lines = []
    for n in _walk_stmts(stmts):
        if isinstance(n, (ast.Attribute, ast.Subscript)) and isinstance(n.ctx, (ast.Store, ast.Del)):
            lines.append(n.lineno)
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            lines.append(n.lineno)
        elif (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr in ("append", "extend", "insert", "pop", "update", "add", "clear", "remove",
                                "setdefault", "__setitem__")
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id not in local
        ):
            lines.append(n.lineno)
    return sorted(set(lines))


def _terminates(stmts):
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    return isinstance(last, ast.If) and _terminates(last.body) and _terminates(last.orelse)


# --------------------------------------------------------------------------
# Rewriting


def _name(id_, store=False):
    return ast.Name(id=id_, ctx=ast.Store() if store else ast.Load())


def _rt_call(method, args, keywords=()):
    return ast.Call(
        func=ast.Attribute(value=_name(_RT), attr=method, ctx=ast.Load()),
        args=list(args),
        keywords=[ast.keyword(arg=k, value=v) for k, v in keywords],
    )


def _const(value):
    return ast.Constant(value=value)


def _tuple(elts, store=False):
    return ast.Tuple(elts=list(elts), ctx=ast.Store() if store else ast.Load())


def _loads(names):
    """The current values of `names`, `rt.UNDEFINED` for unbound ones."""
    call_locals = ast.Call(func=_name("locals"), args=[], keywords=[])
    return _rt_call("load", [call_locals, _tuple([_const(n) for n in names])])


def _function(name, params, body):
    return ast.FunctionDef(
        name=name,
        args=ast.arguments(
            posonlyargs=[], args=[ast.arg(arg=p) for p in params], vararg=None, kwonlyargs=[], kw_defaults=[],
            kwarg=None, defaults=[],
        ),
        body=body or [ast.Pass()],
        decorator_list=[],
        returns=None,
    )


def _copy(node):
    return ast.parse(ast.unparse(node)).body[0] if isinstance(node, ast.stmt) else node


def _replace_breaks(stmts, make):
    """`stmts` with each `break` of their loop replaced by `make()`."""
    out = []
    for s in stmts:
        if isinstance(s, ast.Break):
            out.append(make())
            continue
        if isinstance(s, (ast.If, ast.With, ast.Try)):
            for field in ("body", "orelse", "finalbody"):
                if hasattr(s, field):
                    setattr(s, field, _replace_breaks(getattr(s, field), make))
        out.append(s)
    return out


def _locate(stmts, line):
    """Gives the generated nodes in `stmts` (those without a position) the
    line of the statement they replace, so that tracebacks and ddl's
    messages name it; the user's own nodes keep theirs."""
    for stmt in stmts:
        for n in ast.walk(stmt):
            if "lineno" in n._attributes and getattr(n, "lineno", None) is None:
                n.lineno, n.end_lineno, n.col_offset, n.end_col_offset = line, line, 0, 0
    return stmts


class _Rewriter:
    def __init__(self):
        self.count = 0
        self.changed = False

    def fresh(self, what):
        self.count += 1
        return f"{_PREFIX}{what}{self.count}"

    # -- tests ---------------------------------------------------------------

    def test(self, expr):
        """`and` / `or` / `not` of a test as runtime helpers."""
        if isinstance(expr, ast.BoolOp):
            method = "and_" if isinstance(expr.op, ast.And) else "or_"
            result = self.test(expr.values[0])
            for value in expr.values[1:]:
                lazy = ast.Lambda(
                    args=ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                                       kwarg=None, defaults=[]),
                    body=self.test(value),
                )
                result = _rt_call(method, [result, lazy])
            return result
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
            return _rt_call("not_", [self.test(expr.operand)])
        return self.expressions(expr)

    def expressions(self, expr):
        """Rewrites `a if test else b` inside an expression."""
        rewriter = self

        class IfExp(ast.NodeTransformer):
            def visit_Lambda(self, node):
                return node

            def visit_IfExp(self, node):
                self.generic_visit(node)
                rewriter.changed = True
                empty = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                                      kwarg=None, defaults=[])
                call = _rt_call("cond_expr", [rewriter.test(node.test), ast.Lambda(args=empty, body=node.body),
                                              ast.Lambda(args=empty, body=node.orelse), _const(node.lineno)])
                return _locate([call], node.lineno)[0]

        return IfExp().visit(expr)

    # -- statements ----------------------------------------------------------

    def block(self, stmts, tail):
        """Rewrites a statement list; `tail`: it ends the function, so an
        `if` that returns may take the rest of the list into its branches."""
        out = []
        for i, s in enumerate(stmts):
            if isinstance(s, ast.If):
                rest = stmts[i + 1:]
                if _has([s], ast.Return):
                    if not tail or not _returns_only_in_tail_ifs([s]) or _loop_level([s], (ast.Break, ast.Continue)):
                        out.append(s)
                        continue
                    then = s.body + ([] if _terminates(s.body) else rest)
                    orelse = s.orelse + ([] if _terminates(s.orelse) else rest)
                    out.extend(self.if_return(s, then, orelse))
                    return out
                if _loop_level([s], (ast.Break, ast.Continue)) or _has([s], (ast.Yield, ast.YieldFrom)):
                    out.append(s)
                    continue
                out.extend(self.if_assign(s))
                continue
            if isinstance(s, ast.While) and not s.orelse and self.loop_rewritable(s.body):
                out.extend(self.while_(s))
                continue
            if isinstance(s, ast.For) and not s.orelse and self.range_loop(s) and self.loop_rewritable(s.body):
                out.extend(self.for_range(s))
                continue
            if (
                isinstance(s, ast.For)
                and tail
                and not s.orelse
                and _loop_level(s.body, (ast.Return, ast.Break))
                and not _loop_level(s.body, ast.Continue)
                and not _has(s.body, (ast.Yield, ast.YieldFrom))
                and _returns_only_in_tail_ifs(s.body)
            ):
                out.extend(self.for_exit(s, stmts[i + 1:]))
                return out
            out.append(self.nested(s))
        return out

    def nested(self, s):
        """Rewrites inside a statement that is kept (with, try, other
        loops), and `a if test else b` in expressions."""
        for field in ("body", "orelse", "finalbody"):
            body = getattr(s, field, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt) and not isinstance(
                s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
            ):
                if isinstance(s, (ast.For, ast.While)) and _loop_level(body, (ast.Break, ast.Continue)):
                    continue  # an `if` holding its break stays Python
                setattr(s, field, self.block(body, tail=False))
        if isinstance(s, ast.Try):
            for handler in s.handlers:
                handler.body = self.block(handler.body, tail=False)
        if isinstance(s, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return)) and s.value is not None:
            s.value = self.expressions(s.value)
        return s

    def loop_rewritable(self, body):
        # A break or continue at the loop's level becomes a flag; return
        # and yield stay Python.
        return not _loop_level(body, ast.Return) and not _has(body, (ast.Yield, ast.YieldFrom))

    @staticmethod
    def range_loop(s):
        it = s.iter
        return (
            isinstance(s.target, ast.Name)
            and isinstance(it, ast.Call)
            and isinstance(it.func, ast.Name)
            and it.func.id == "range"
            and 1 <= len(it.args) <= 3
            and not it.keywords
        )

    def branch_function(self, name, params, body, results):
        body = self.block(body, tail=results is None)
        if results is not None:
            body = body + [ast.Return(value=_tuple([_name(n) for n in results]))]
        return _function(name, params, body)

    def if_assign(self, s):
        self.changed = True
        names = _assigned(s.body + s.orelse)
        then, orelse = self.fresh("then"), self.fresh("else")
        call = _rt_call(
            "cond",
            [self.test(s.test), _name(then), _name(orelse), _loads(names), _tuple([_const(n) for n in names]),
             _const(s.lineno), _tuple([_const(x) for x in _side_effect_lines(s.body + s.orelse)])],
        )
        stmts = [
            self.branch_function(then, names, s.body, names),
            self.branch_function(orelse, names, s.orelse, names),
            ast.Assign(targets=[_tuple([_name(n, True) for n in names], store=True)], value=call)
            if names else ast.Expr(value=call),
        ]
        return _locate(stmts, s.lineno)

    def if_return(self, s, then, orelse):
        self.changed = True
        names = _assigned(then + orelse)
        then_name, else_name = self.fresh("then"), self.fresh("else")
        for branch in (then, orelse):
            if not _terminates(branch):
                branch.append(ast.Return(value=_const(None)))
        call = _rt_call(
            "cond",
            [self.test(s.test), _name(then_name), _name(else_name), _loads(names),
             _tuple([_const("<return>")]), _const(s.lineno),
             _tuple([_const(x) for x in _side_effect_lines(then + orelse)])],
            keywords=[("returns", _const(True))],
        )
        stmts = [
            self.branch_function(then_name, names, then, None),
            self.branch_function(else_name, names, orelse, None),
            ast.Return(value=call),
        ]
        return _locate(stmts, s.lineno)

    def lower_exits(self, stmts, kind, flag):
        """`break` or `continue` (`kind`, at the loop's level) as `flag =
        False`, the statements after a statement that may exit running
        under `if flag:`."""
        out = []
        for i, s in enumerate(stmts):
            if isinstance(s, kind):
                out.extend(_locate([ast.Assign(targets=[_name(flag, True)], value=_const(False))], s.lineno))
                return out
            if isinstance(s, ast.If) and _loop_level([s], kind):
                s.body = self.lower_exits(s.body, kind, flag)
                s.orelse = self.lower_exits(s.orelse, kind, flag)
                out.append(s)
                rest = stmts[i + 1:]
                if rest:
                    guard = ast.If(test=_name(flag), body=self.lower_exits(rest, kind, flag), orelse=[])
                    out.extend(_locate([guard], rest[0].lineno))
                return out
            out.append(s)
        return out

    def loop(self, s, test, body, prologue, names_extra=()):
        """`names = rt.loop(test_fn, body_fn, names)`."""
        self.changed = True
        flag = None
        if _loop_level(body, ast.Break):
            flag = self.fresh("go")
            prologue = prologue + [ast.Assign(targets=[_name(flag, True)], value=_const(True))]
            body = self.lower_exits(body, ast.Break, flag)
            test = _rt_call("and_", [_name(flag), ast.Lambda(
                args=ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                                   kwarg=None, defaults=[]),
                body=test)])
        if _loop_level(body, ast.Continue):
            # The rest of the iteration runs under a flag each iteration
            # starts with set.
            going = self.fresh("next")
            body = _locate([ast.Assign(targets=[_name(going, True)], value=_const(True))], s.lineno) + \
                self.lower_exits(body, ast.Continue, going)
        names = list(names_extra) + [n for n in _assigned(body) if n not in names_extra]
        if flag and flag not in names:
            names.append(flag)
        test_name, body_name = self.fresh("test"), self.fresh("body")
        call = _rt_call(
            "loop",
            [_name(test_name), _name(body_name), _loads(names), _tuple([_const(n) for n in names]),
             _const(s.lineno), _tuple([_const(x) for x in _side_effect_lines(body)])],
        )
        stmts = prologue + [
            _function(test_name, names, [ast.Return(value=test)]),
            self.branch_function(body_name, names, body, names),
            ast.Assign(targets=[_tuple([_name(n, True) for n in names], store=True)], value=call),
        ]
        return _locate(stmts, s.lineno)

    def for_exit(self, s, rest):
        """A `for` over Python values whose body may return or break (an
        early exit), at the function's end: each iteration becomes a call
        of a step function whose exits are `return`s, so that an exit on a
        tensor becomes a branch whose other side holds the remaining
        iterations (the loop is unrolled, as Python runs it):

            def step(it, names):
                item = next(it, END)
                if item is END: return after(names)
                target = item; body (break: return after(names))
                return step(it, names)
            def after(names): rest of the function
            return step(iter(iterable), names)
        """
        self.changed = True
        step, after, it, item = self.fresh("step"), self.fresh("after"), self.fresh("it"), self.fresh("item")
        names = [n for n in _assigned([ast.Assign(targets=[s.target], value=_const(None))] + s.body)]
        call_after = ast.Return(value=ast.Call(func=_name(after), args=[_name(n) for n in names], keywords=[]))
        body = _replace_breaks(s.body, lambda: _locate([_copy(call_after)], s.lineno)[0])
        body = [ast.Assign(targets=[s.target], value=_name(item))] + body + [
            ast.Return(value=ast.Call(func=_name(step), args=[_name(it)] + [_name(n) for n in names], keywords=[]))
        ]
        step_body = [
            ast.Assign(targets=[_name(item, True)], value=_rt_call("next_item", [_name(it)])),
            ast.If(test=_rt_call("is_end", [_name(item)]), body=[_copy(call_after)], orelse=[]),
        ] + body
        rest = list(rest)
        if not _terminates(rest):
            rest.append(ast.Return(value=_const(None)))
        stmts = _locate([
            _function(after, names, rest),
            _function(step, [it] + names, step_body),
            ast.Return(value=ast.Call(func=_name(step), args=[
                ast.Call(func=_name("iter"), args=[s.iter], keywords=[]),
                ast.Starred(value=_loads(names), ctx=ast.Load())], keywords=[])),
        ], s.lineno)
        for f in stmts[:2]:
            f.body = self.block(f.body, tail=True)
        return stmts

    def while_(self, s):
        return self.loop(s, self.test(s.test), s.body, [])

    def for_range(self, s):
        # for i in range(a, b, c): body  ==>
        #   bounds = rt.range_args(a, b, c); counter = bounds[0]
        #   while rt.in_range(counter, bounds): i = counter; counter += step; body
        bounds, counter = self.fresh("range"), self.fresh("i")
        prologue = [
            ast.Assign(targets=[_name(bounds, True)], value=_rt_call("range_args", s.iter.args)),
            ast.Assign(targets=[_name(counter, True)],
                       value=ast.Subscript(value=_name(bounds), slice=_const(0), ctx=ast.Load())),
        ]
        step = ast.Subscript(value=_name(bounds), slice=_const(2), ctx=ast.Load())
        body = [
            ast.Assign(targets=[_name(s.target.id, True)], value=_name(counter)),
            ast.Assign(targets=[_name(counter, True)], value=ast.BinOp(left=_name(counter), op=ast.Add(), right=step)),
        ] + s.body
        test = _rt_call("in_range", [_name(counter), _name(bounds)])
        return self.loop(s, test, body, prologue, names_extra=(counter,))


def rewrite(fn):
    """`fn` with its control flow rewritten (see the module comment), or
    None when there is nothing to rewrite or its source is unavailable."""
    raw = getattr(fn, "__func__", fn)
    if not isinstance(raw, types.FunctionType) or raw.__name__ == "<lambda>":
        return None
    if (raw.__module__ or "").split(".")[0] in ("torch", "ddl"):
        return None  # library code: its converters match the original
    try:
        lines, first = inspect.getsourcelines(raw)
        filename = inspect.getsourcefile(raw) or "<unknown>"
    except (OSError, TypeError):
        return None
    source = textwrap.dedent("".join(lines))
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    ast.increment_lineno(tree, first - 1)
    func = tree.body[0]
    if not isinstance(func, ast.FunctionDef):
        return None
    if not _has(func.body, (ast.If, ast.While, ast.For, ast.IfExp)):
        return None
    rewriter = _Rewriter()
    func.body = rewriter.block(func.body, tail=True)
    if not rewriter.changed:
        return None
    func.decorator_list = []
    # The function is rebuilt in a factory whose parameters are the
    # original's free variables (and the runtime), so closures (and
    # `super()`'s __class__) keep working.
    free = list(raw.__code__.co_freevars)
    factory = _function(f"{_PREFIX}factory", [_RT] + free, [func, ast.Return(value=_name(func.name))])
    module = ast.Module(body=[factory], type_ignores=[])
    ast.fix_missing_locations(module)
    try:
        code = compile(module, filename, "exec")
    except SyntaxError:
        return None
    namespace = {}
    exec(code, raw.__globals__, namespace)
    cells = [c.cell_contents if _cell_full(c) else None for c in (raw.__closure__ or ())]
    rewritten = namespace[f"{_PREFIX}factory"](RUNTIME, *cells)
    rewritten.__defaults__ = raw.__defaults__
    rewritten.__kwdefaults__ = raw.__kwdefaults__
    functools.update_wrapper(rewritten, raw, assigned=("__module__", "__name__", "__qualname__", "__doc__"),
                             updated=())
    rewritten.__ddl_rewritten__ = True
    return rewritten


def _cell_full(cell):
    try:
        cell.cell_contents
        return True
    except ValueError:
        return False


def _user_methods(cls):
    """Methods defined by the user's classes in `cls`'s MRO (not torch's)."""
    seen = set()
    for klass in cls.__mro__:
        module = getattr(klass, "__module__", "") or ""
        if module.startswith(("torch.", "builtins")) or klass is object:
            continue
        for name, value in vars(klass).items():
            # A subclass's method shadows its base's; dunders stay as they are.
            if name in seen or name.startswith("__") or not isinstance(value, types.FunctionType):
                continue
            seen.add(name)
            yield name, value


@contextlib.contextmanager
def rewritten_program(program):
    """While active, the modules of `program` (and `program` itself when it
    is a function) run their control-flow-rewritten methods. Yields the
    program to trace."""
    installed = []
    cache = {}

    def rewritten(fn):
        if fn not in cache:
            cache[fn] = rewrite(fn)
        return cache[fn]

    try:
        if isinstance(program, torch.nn.Module):
            for module in program.modules():
                for name, fn in _user_methods(type(module)):
                    new = rewritten(fn)
                    if new is not None and name not in module.__dict__:
                        module.__dict__[name] = types.MethodType(new, module)
                        installed.append((module, name))
            yield program
        else:
            new = rewritten(program) if isinstance(program, types.FunctionType) else None
            yield new or program
    finally:
        for module, name in installed:
            del module.__dict__[name]


# --------------------------------------------------------------------------
# The runtime the rewritten code calls


class Undefined:
    """A variable that is unbound where the rewritten statement reads it
    (assigned later, or in only one branch). Using it says so."""

    __slots__ = ("why",)

    def __init__(self, why=None):
        self.why = why

    def _fail(self, *args, **kwargs):
        raise _error(self.why or "a variable is used before it is assigned")

    __bool__ = __call__ = __getattr__ = __getitem__ = __iter__ = __len__ = __index__ = __float__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __matmul__ = _fail
    __lt__ = __le__ = __gt__ = __ge__ = __neg__ = _fail


UNDEFINED = Undefined()


def is_traced_tensor(value):
    """Whether `value` is a traced value holding a tensor (not a static
    Python value the tracer folds)."""
    from .capture import _Proxy

    if not isinstance(value, _Proxy):
        return False
    values = value.tracer._values_of(value.node)
    return isinstance(values[0], torch.Tensor)


class Runtime:
    UNDEFINED = UNDEFINED

    @staticmethod
    def load(scope, names):
        return tuple(scope.get(n, UNDEFINED) for n in names)

    @staticmethod
    def cond(test, then_fn, else_fn, values, names, line, effects=(), returns=False):
        if not is_traced_tensor(test):
            chosen = then_fn if test else else_fn
            return chosen(*values)
        return trace_cond(test, then_fn, else_fn, values, names, line, effects, returns)

    @staticmethod
    def cond_expr(test, then_fn, else_fn, line):
        if not is_traced_tensor(test):
            return then_fn() if test else else_fn()
        return trace_cond(test, then_fn, else_fn, (), ("<value>",), line, (), returns=True)

    @staticmethod
    def loop(test_fn, body_fn, values, names, line, effects=()):
        values = tuple(values)
        while True:
            test = test_fn(*values)
            if is_traced_tensor(test):
                return trace_loop(test, test_fn, body_fn, values, names, line, effects)
            if not test:
                return values
            values = tuple(body_fn(*values))

    @staticmethod
    def and_(a, b):
        if not is_traced_tensor(a):
            return a and b()
        other = b()
        if not is_traced_tensor(other) and not isinstance(other, torch.Tensor):
            return a if other else other
        return torch.logical_and(_truth(a), _truth(other))

    @staticmethod
    def or_(a, b):
        if not is_traced_tensor(a):
            return a or b()
        other = b()
        if not is_traced_tensor(other) and not isinstance(other, torch.Tensor):
            return other if other else a
        return torch.logical_or(_truth(a), _truth(other))

    @staticmethod
    def not_(a):
        if not is_traced_tensor(a):
            return not a
        return torch.logical_not(_truth(a))

    END = object()

    @staticmethod
    def next_item(iterator):
        return next(iterator, Runtime.END)

    @staticmethod
    def is_end(item):
        return item is Runtime.END

    @staticmethod
    def range_args(*args):
        if len(args) == 1:
            return (0, args[0], 1)
        if len(args) == 2:
            return (args[0], args[1], 1)
        if not is_traced_tensor(args[2]) and args[2] == 0:
            raise ValueError("range() arg 3 must not be zero")
        return tuple(args)

    @staticmethod
    def in_range(counter, bounds):
        _, stop, step = bounds
        # A bound that is a dynamic size (x.size(1) of a dimension declared
        # dynamic) makes the loop run-time: compare as tensors.
        counter, stop = _size_as_tensor(counter), _size_as_tensor(stop)
        if not is_traced_tensor(step) and not isinstance(step, torch.Tensor):
            return counter < stop if step > 0 else counter > stop
        return torch.where(step > 0, counter < stop, counter > stop)


def _size_as_tensor(value):
    from .capture import _Proxy

    if isinstance(value, _Proxy) and value.node.meta.get("ddl_from_dynamic_size"):
        return value.tracer.create_proxy("call_function", as_tensor, (value, torch.int64), {})
    return value


def _truth(value):
    return value if value.dtype == torch.bool else value != 0


RUNTIME = Runtime()


# --------------------------------------------------------------------------
# Recording control flow on tensors (the tracer's side)


def _error(message):
    """A DataDependentControlFlowError naming the user's line."""
    from .errors import current_user_frame

    frame = current_user_frame()
    return DataDependentControlFlowError(message + (f"\n  at {frame}" if frame else ""))


def ddl_if(test, *operands):
    """Target of a recorded `if` on a tensor: `node.meta["ddl_control"]`
    holds the branches (never called: see run_control)."""
    raise _error("internal: ddl_if is recorded, not called")


def ddl_loop(test, *operands):
    """Target of a recorded loop (see ddl_if)."""
    raise _error("internal: ddl_loop is recorded, not called")


def as_tensor(value, dtype):
    """A Python number a branch or loop yields where the other side yields
    a tensor, as a 0-d tensor."""
    if isinstance(value, torch.Tensor):
        return value.to(dtype).clone()
    return torch.tensor(value, dtype=dtype)


# Iterations after which a loop on the example inputs is taken to run
# forever.
_MAX_ITERATIONS = 1_000_000


def _flatten(value):
    """(leaves, spec) of nested tuples / lists / dicts (torch's pytree)."""
    return pytree.tree_flatten(value)


def _unflatten(leaves, spec):
    return pytree.tree_unflatten(list(leaves), spec)


def _same_python(a, b):
    if a is b:
        return True
    if isinstance(a, (bool, int, float, str, type(None), torch.dtype)) and type(a) is type(b):
        return a == b
    return False


def _python_dtype(value):
    if isinstance(value, bool):
        return torch.bool
    if isinstance(value, int):
        return torch.int64
    if isinstance(value, float):
        return torch.float32
    return None


def _describe(names, i, returns):
    if returns:
        return "the returned value"
    return f"'{names[i]}'" if i < len(names) else "a value"


def _condition_value(value, what):
    if not isinstance(value, torch.Tensor):
        return bool(value)
    if value.numel() != 1:
        raise _error(f"{what} has {value.numel()} elements; a condition needs one")
    return bool(value.reshape(()).item())


def _tensor_leaf(tracer, value, like, where):
    """`value` (a Python number, or a traced tensor) as a traced tensor in
    the graph being recorded; `like` gives the dtype of a number."""
    if is_traced_tensor(value):
        return value if value.node.graph is tracer.graph else tracer.proxy(tracer.lift(value.node))
    if isinstance(value, torch.Tensor) and not isinstance(value, fx.Proxy):
        # A tensor the program made from Python values (torch.zeros(2, 8)):
        # a constant that now starts a carried value or joins a branch.
        return tracer.create_proxy("call_function", as_tensor, (value, value.dtype), {})
    dtype = _python_dtype(value)
    if dtype is None or isinstance(value, fx.Proxy):
        raise _error(
            f"{where}: a {type(value).__name__} where a tensor is needed (ddl carries tensors and numbers)"
        )
    if like is not None and is_traced_tensor(like):
        like_value = like.tracer._values_of(like.node)[0]
        if like_value.dim() != 0:
            raise _error(
                f"{where}: a number on one side and a tensor of shape {list(like_value.shape)} on the other"
            )
        dtype = like_value.dtype
    return tracer.create_proxy("call_function", as_tensor, (value, dtype), {})


def _finish_graph(tracer, context, outputs):
    """Ends a sub-graph: its output node, in-place ops made pure, and the
    type of every node from its example values."""
    from .capture import _functionalize_inplace, _type_from_values

    context.graph.output(tuple(outputs))
    _functionalize_inplace(context.graph)
    for node in context.graph.nodes:
        if node.op != "output" and "ddl_type" not in node.meta:
            node.meta["ddl_type"] = _type_from_values(tracer._values_of(node), context.symbol_sizes)


def _join(a, b, where):
    """The type both `a` and `b` (TensorTypes) are instances of."""
    from .mlir import TensorType

    if a.dtype != b.dtype or a.rank != b.rank:
        raise _error(
            f"{where}: {a} on one path and {b} on the other; both paths must give the same dtype and rank"
        )
    return TensorType(a.dtype, [x if x == y else None for x, y in zip(a.dims, b.dims)])


def _check_effects(effects, what, line):
    if effects:
        raise _error(
            f"the {what} at line {line} depends on a tensor, and its body changes more than local variables "
            f"(line {effects[0]}: an attribute, an item, a list or a global)\n"
            "ddl compiles both paths and carries only local variables through them: assign the result to a "
            "local variable, or build lists with torch.cat / torch.stack on a tensor the code carries."
        )


def trace_cond(test, then_fn, else_fn, values, names, line, effects, returns):
    """Records `if test` on a traced tensor as a `ddl_if` node whose
    branches are sub-graphs; returns what the statement assigns (or
    returns), the tensors being the node's results."""
    tracer = test.tracer
    what = f"the `if` at line {line}"
    _check_effects(effects, "`if`", line)
    parent = tracer.context()
    test_node = tracer.lift(test.node)
    run_map = list(range(parent.run_count))
    branches = []
    for fn in (then_fn, else_fn):
        with tracer.subgraph(run_map) as context:
            leaves, spec = _flatten(fn(*values))
        branches.append((context, leaves, spec))
    (then_ctx, then_leaves, then_spec), (else_ctx, else_leaves, else_spec) = branches
    if then_spec != else_spec:
        raise _error(
            f"the two branches of {what} (on a tensor) {'return' if returns else 'assign'} values of different "
            "structure (tuples or lists of other lengths); ddl needs one structure for both"
        )
    # Each result: a Python value both branches agree on, or a tensor slot.
    results, slots = [], []
    for i, (a, b) in enumerate(zip(then_leaves, else_leaves)):
        where = f"{_describe(names, i, returns)} after {what}"
        if isinstance(a, Undefined) or isinstance(b, Undefined):
            both = isinstance(a, Undefined) and isinstance(b, Undefined)
            results.append(a if both else Undefined(
                f"{_describe(names, i, returns)} is assigned in only one branch of {what}, which depends on a "
                "tensor; assign it in both branches (or before the `if`) to use it afterwards"
            ))
            continue
        if not is_traced_tensor(a) and not is_traced_tensor(b) and _same_python(a, b):
            results.append(a)
            continue
        with tracer.in_context(then_ctx):
            a = _tensor_leaf(tracer, a, b, where)
        with tracer.in_context(else_ctx):
            b = _tensor_leaf(tracer, b, a, where)
        slots.append((len(results), a, b))
        results.append(None)
    _finish_graph(tracer, then_ctx, [a.node for _, a, _ in slots])
    _finish_graph(tracer, else_ctx, [b.node for _, _, b in slots])
    types = [_join(a.node.meta["ddl_type"], b.node.meta["ddl_type"], f"{_describe(names, k, returns)} after {what}")
             for k, a, b in slots]
    operands, index = [], {}
    for context in (then_ctx, else_ctx):
        for outer, _ in context.operands:
            if outer not in index:
                index[outer] = len(operands)
                operands.append(outer)
    node = parent.graph.create_node("call_function", ddl_if, (test_node, *operands), {}, name="ddl_if")
    node.stack_trace = test.node.stack_trace
    node.meta["ddl_control"] = {
        "kind": "if",
        "line": line,
        "branches": [[dict(context.operands).get(outer) for outer in operands] for context in (then_ctx, else_ctx)],
        "graphs": [then_ctx.graph, else_ctx.graph],
    }
    node.meta["ddl_type"] = tuple(types)
    values = []
    for r in range(parent.run_count):
        taken = _condition_value(tracer._values_of(test_node)[r], f"the condition of {what}")
        values.append(tuple(tracer._values_of((a if taken else b).node)[r] for _, a, b in slots))
    # A result whose shape depends on the branch: later nodes must see its
    # shape vary (a world where run 0 takes the other branch).
    if any(t.dims != a.node.meta["ddl_type"].dims or t.dims != b.node.meta["ddl_type"].dims
           for t, (_, a, b) in zip(types, slots)):
        taken = _condition_value(tracer._values_of(test_node)[0], f"the condition of {what}")
        parent.add_world()
        values.append(tuple(tracer._values_of((b if taken else a).node)[0] for _, a, b in slots))
    node.meta["ddl_values"] = values
    proxy = tracer.proxy(node)
    for k, (i, _, _) in enumerate(slots):
        results[i] = tracer.create_proxy("call_function", operator.getitem, (proxy, k), {})
    out = _unflatten(results, then_spec)
    return out


def trace_loop(test, test_fn, body_fn, values, names, line, effects):
    """Records a loop whose condition is a traced tensor as a `ddl_loop`
    node: the body is a sub-graph over the carried tensors (the variables
    the body assigns that hold tensors, and numbers it changes); returns
    the variables' values after the loop."""
    tracer = test.tracer
    what = f"the loop at line {line}"
    _check_effects(effects, "loop", line)
    parent = tracer.context()
    test_node = tracer.lift(test.node)
    leaves, spec = _flatten(tuple(values))
    names_of_leaves = _leaf_names(values, names)
    promote = set()
    extra_samples = []  # (parent run, {leaf: value}) after one iteration
    for _ in range(8):
        carried = [i for i, leaf in enumerate(leaves) if is_traced_tensor(leaf) or i in promote]
        inits = {}
        for i in carried:
            inits[i] = _tensor_leaf(tracer, leaves[i], None, f"'{names_of_leaves[i]}' in {what}")
        samples = [(r, {i: tracer._values_of(inits[i].node)[r] for i in carried}) for r in range(parent.run_count)]
        samples += [(r, s) for r, s in extra_samples if all(i in s for i in carried)]
        with tracer.subgraph([r for r, _ in samples]) as context:
            placeholders = {}
            for i in carried:
                ph = context.graph.placeholder(f"carried_{_identifier(names_of_leaves[i])}")
                ph.meta["ddl_values"] = [s[i].clone() if isinstance(s[i], torch.Tensor) else s[i] for _, s in samples]
                placeholders[i] = ph
            inside = [tracer.proxy(placeholders[i]) if i in placeholders else leaf for i, leaf in enumerate(leaves)]
            new_values = tuple(body_fn(*_unflatten(inside, spec)))
            new_leaves, new_spec = _flatten(new_values)
            if new_spec != spec:
                raise _error(
                    f"the body of {what} (on a tensor) changes the structure of its variables (a tuple or list of "
                    "another length); ddl carries a fixed structure"
                )
            next_test = test_fn(*new_values)
            changed = {i for i, (old, new) in enumerate(zip(leaves, new_leaves))
                       if i not in placeholders and not isinstance(old, Undefined)
                       and not (not is_traced_tensor(new) and _same_python(old, new))}
            if changed - promote:
                promote |= changed
                continue
            outs = [_tensor_leaf(tracer, next_test, None, f"the condition of {what}")]
            outs = [_as_condition(tracer, outs[0])]
            for i in carried:
                outs.append(_tensor_leaf(tracer, new_leaves[i], None, f"'{names_of_leaves[i]}' in {what}"))
        _finish_graph(tracer, context, [o.node for o in outs])
        # A carried shape that changes across iterations must be dynamic in
        # the body: sample the states after one iteration too.
        arg_types = [placeholders[i].meta["ddl_type"] for i in carried]
        out_types = [o.node.meta["ddl_type"] for o in outs[1:]]
        if all(a.dims == _join(a, o, f"'{names_of_leaves[i]}' in {what}").dims
               for a, o, i in zip(arg_types, out_types, carried)):
            break
        extra_samples = [
            (r, {i: tracer._values_of(o.node)[k] for i, o in zip(carried, outs[1:])})
            for k, (r, _) in enumerate(samples)
        ]
    else:
        raise _error(f"{what}: the carried values' types do not settle")
    operands = [outer for outer, _ in context.operands]
    init_nodes = [tracer.lift(inits[i].node) for i in carried]
    node = parent.graph.create_node("call_function", ddl_loop, (test_node, *init_nodes, *operands), {},
                                    name="ddl_loop")
    node.stack_trace = test.node.stack_trace
    node.meta["ddl_control"] = {
        "kind": "loop",
        "line": line,
        "graph": context.graph,
        "carried": [placeholders[i] for i in carried],
        "operands": [ph for _, ph in context.operands],
    }
    node.meta["ddl_type"] = tuple(arg_types)
    results = []
    world = None
    for r in range(parent.run_count):
        args = [tracer._values_of(n)[r] for n in node.args]
        final, visited = run_loop(tracer, node, args)
        results.append(tuple(final))
        if r == 0:
            shapes = [tuple(v.shape) for v in final]
            world = next((s for s in reversed(visited) if [tuple(v.shape) for v in s] != shapes), None)
    if world is not None:
        parent.add_world()
        results.append(tuple(world))
    node.meta["ddl_values"] = results
    proxy = tracer.proxy(node)
    out = list(leaves)
    for k, i in enumerate(carried):
        out[i] = tracer.create_proxy("call_function", operator.getitem, (proxy, k), {})
    for i, (old, new) in enumerate(zip(leaves, new_leaves)):
        if isinstance(old, Undefined) and not isinstance(new, Undefined):
            out[i] = Undefined(
                f"'{names_of_leaves[i]}' is assigned in the body of {what}, which depends on a tensor, but not "
                "before it; give it a value before the loop to use it afterwards"
            )
    return _unflatten(out, spec)


def _identifier(name):
    return "".join(c if c.isalnum() else "_" for c in name)


def _leaf_names(values, names):
    out = []
    for name, value in zip(names, values):
        leaves, _ = _flatten(value)
        out += [name if len(leaves) == 1 else f"{name}[{k}]" for k in range(len(leaves))]
    return out


def _as_condition(tracer, value):
    """A traced condition as a 0-d boolean."""
    v = tracer._values_of(value.node)[0]
    if v.dtype != torch.bool:
        value = value != 0
    if v.dim() != 0:
        value = value.reshape(())
    return value


# --------------------------------------------------------------------------
# Running recorded control flow on example values


def interpret(tracer, graph, inputs):
    """Runs a sub-graph on concrete values (`inputs`: placeholder ->
    value); returns its outputs."""
    env = dict(inputs)
    for node in graph.nodes:
        if node.op == "placeholder":
            if node not in env:
                raise _error(f"internal: no value for {node.name}")
            continue
        if node.op == "get_attr":
            env[node] = tracer._values_of(node)[0]
            continue
        args = fx.node.map_arg(node.args, lambda n: env[n])
        if node.op == "output":
            return args[0]
        kwargs = fx.node.map_arg(node.kwargs, lambda n: env[n])
        if node.op == "call_function" and node.target in (ddl_if, ddl_loop):
            env[node] = run_control(tracer, node, args)
        else:
            env[node] = tracer.call(node, args, kwargs)
    raise _error("internal: a sub-graph without an output")


def run_control(tracer, node, args):
    info = node.meta["ddl_control"]
    if info["kind"] == "if":
        taken = 0 if _condition_value(args[0], f"the condition of the `if` at line {info['line']}") else 1
        placeholders = info["branches"][taken]
        inputs = {ph: v for ph, v in zip(placeholders, args[1:]) if ph is not None}
        return tuple(interpret(tracer, info["graphs"][taken], inputs))
    return tuple(run_loop(tracer, node, args)[0])


def run_loop(tracer, node, args):
    """(final carried values, the states visited before them)."""
    info = node.meta["ddl_control"]
    count = len(info["carried"])
    state = list(args[1:1 + count])
    operands = dict(zip(info["operands"], args[1 + count:]))
    test = args[0]
    visited = []
    iterations = 0
    while _condition_value(test, f"the condition of the loop at line {info['line']}"):
        visited.append(state)
        inputs = dict(operands)
        inputs.update(zip(info["carried"], [v.clone() if isinstance(v, torch.Tensor) else v for v in state]))
        outs = interpret(tracer, info["graph"], inputs)
        test, state = outs[0], list(outs[1:])
        iterations += 1
        if iterations > _MAX_ITERATIONS:
            raise _error(
                f"the loop at line {info['line']} ran {_MAX_ITERATIONS} iterations on the example inputs "
                "without its condition turning false"
            )
    return state, visited


# --------------------------------------------------------------------------
# Conversion to nn.if / nn.loop


def _region_text(lines):
    return "\n".join("  " + line for line in lines)


def _yield_line(values):
    if not values:
        return "    nn.yield"
    return f"    nn.yield {', '.join(v.name for v in values)} : {', '.join(str(v.type) for v in values)}"


def _joined_value_types(values_per_region):
    from .mlir import TensorType

    types = []
    for values in zip(*values_per_region):
        first = values[0].type
        dims = [d if all(v.type.dims[k] == d for v in values) else None for k, d in enumerate(first.dims)]
        types.append(TensorType(first.dtype, dims))
    return types


def _condition(cx, value, what):
    from .mlir import TensorType

    value = cx.tensor(value)
    if value.type.dtype != torch.bool:
        zero = cx.scalar(0, value.type.dtype)
        value = cx.op("nn.not_equal", [value, zero], value.type.with_dtype(torch.bool))
    if value.type.rank != 0:
        if any(d != 1 for d in value.type.dims):
            raise cx.unsupported(f"{what} must hold one element, not {value.type}")
        value = cx.reshape(value, [], TensorType(torch.bool, []))
    return value


def _convert_if(cx, node, test, *operands):
    info = node.meta["ddl_control"]
    what = f"the condition of the `if` at line {info['line']}"
    condition = _condition(cx, test, what)
    regions, yielded = [], []
    for graph, placeholders in zip(info["graphs"], info["branches"]):
        env = {ph: value for ph, value in zip(placeholders, operands) if ph is not None}
        with cx.builder.region() as lines:
            outputs = [cx.tensor(v) for v in cx.resolve(cx.convert_graph(graph, env))]
        regions.append(lines)
        yielded.append(outputs)
    types = _joined_value_types(yielded)
    for lines, outputs in zip(regions, yielded):
        lines.append(_yield_line(outputs))
    arrow = f" -> {', '.join(str(t) for t in types)}" if types else ""
    text = (f"nn.if {condition.name} : {condition.type}{arrow} {{\n{_region_text(regions[0])}\n    }} else "
            f"{{\n{_region_text(regions[1])}\n    }}")
    if not types:
        cx.builder.custom_op([], text)
        return ()
    results = cx.builder.custom_op(list(types), text)
    return tuple(results)


def _convert_loop(cx, node, test, *args):
    from .mlir import TensorType

    info = node.meta["ddl_control"]
    count = len(info["carried"])
    inits = [cx.tensor(v) for v in args[:count]]
    operands = args[count:]
    condition = _condition(cx, test, f"the condition of the loop at line {info['line']}")
    b = cx.builder
    iteration = b.value(TensorType(torch.int64, []))
    flag = b.value(TensorType(torch.bool, []))
    arg_types = [ph.meta["ddl_type"] for ph in info["carried"]]
    block_args = [b.value(t) for t in arg_types]
    env = dict(zip(info["operands"], operands))
    env.update(zip(info["carried"], block_args))
    with b.region() as lines:
        outputs = [cx.tensor(v) for v in cx.resolve(cx.convert_graph(info["graph"], env))]
        outputs[0] = _condition(cx, outputs[0], f"the condition of the loop at line {info['line']}")
    types = arg_types
    lines.append(_yield_line(outputs))
    header = ", ".join(f"{v.name}: {v.type}" for v in [iteration, flag] + block_args)
    iter_args = (f" iter_args({', '.join(v.name for v in inits)} : {', '.join(str(v.type) for v in inits)})"
                 if inits else "")
    arrow = f" -> {', '.join(str(t) for t in types)}" if types else ""
    text = (f"nn.loop condition {condition.name} : {condition.type}{iter_args}{arrow} {{\n"
            f"    ^bb0({header}):\n{_region_text(lines)}\n    }}")
    if not types:
        b.custom_op([], text)
        return ()
    return tuple(b.custom_op(list(types), text))


def _convert_as_tensor(cx, node, value, dtype):
    return cx.tensor(value, dtype) if isinstance(value, Value) else cx.scalar(value, dtype)


def _convert_item(cx, node, x):
    from .mlir import TensorType

    if x.type.rank and any(d != 1 for d in x.type.dims):
        raise cx.unsupported(f"item() of a tensor of type {x.type}; it needs one element")
    return x if x.type.rank == 0 else cx.reshape(x, [], TensorType(x.type.dtype, []))


from .mlir import Value  # noqa: E402


def register_converters():
    from .convert import converts

    converts(ddl_if)(_convert_if)
    converts(ddl_loop)(_convert_loop)
    converts(as_tensor)(_convert_as_tensor)
    converts("item")(_convert_item)


register_converters()
