using Mono.Cecil;
using Mono.Cecil.Cil;

namespace StarGanLab.Tests.Architecture;

/// <summary>Which of the library's namespaces use which, read from the compiled IL: signatures, fields, attributes,
/// base types and every type, method and field a method body touches, so a fully qualified name or a lambda counts
/// as much as a using directive. Nested and compiler-generated types count for the namespace that holds them.</summary>
static class NamespaceGraph
{
    const string Root = "StarGanLab.";

    /// <summary>namespace -> (namespace it uses -> one example "Type uses Type" for the failure message).</summary>
    public static Dictionary<string, Dictionary<string, string>> Of(string assemblyPath)
    {
        var graph = new Dictionary<string, Dictionary<string, string>>();
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        foreach (var type in module.GetTypes())
        {
            string from = NamespaceOf(type);
            if (!from.StartsWith(Root, StringComparison.Ordinal)) continue;
            var uses = graph.TryGetValue(from, out var u) ? u : graph[from] = [];
            foreach (var used in Referenced(type))
            {
                string to = NamespaceOf(used);
                if (to != from && to.StartsWith(Root, StringComparison.Ordinal) && used.Scope == module)
                    uses.TryAdd(to, $"{type.FullName} uses {used.FullName}");
            }
        }
        return graph;
    }

    static string NamespaceOf(TypeReference t)
    {
        while (t.DeclaringType is not null) t = t.DeclaringType;
        return t.Namespace;
    }

    static IEnumerable<TypeReference> Referenced(TypeDefinition type)
    {
        if (type.BaseType is not null) foreach (var t in Expand(type.BaseType)) yield return t;
        foreach (var i in type.Interfaces) foreach (var t in Expand(i.InterfaceType)) yield return t;
        foreach (var a in type.CustomAttributes) yield return a.AttributeType;
        foreach (var f in type.Fields) foreach (var t in Expand(f.FieldType)) yield return t;
        foreach (var p in type.Properties) foreach (var t in Expand(p.PropertyType)) yield return t;
        foreach (var m in type.Methods)
        {
            foreach (var t in Expand(m.ReturnType)) yield return t;
            foreach (var p in m.Parameters) foreach (var t in Expand(p.ParameterType)) yield return t;
            if (!m.HasBody) continue;
            foreach (var v in m.Body.Variables) foreach (var t in Expand(v.VariableType)) yield return t;
            foreach (Instruction ins in m.Body.Instructions)
                switch (ins.Operand)
                {
                    case TypeReference t:
                        foreach (var e in Expand(t)) yield return e;
                        break;
                    case MethodReference mr:
                        foreach (var e in Expand(mr.DeclaringType)) yield return e;
                        foreach (var e in Expand(mr.ReturnType)) yield return e;
                        foreach (var p in mr.Parameters) foreach (var e in Expand(p.ParameterType)) yield return e;
                        if (mr is GenericInstanceMethod g) foreach (var a in g.GenericArguments) foreach (var e in Expand(a)) yield return e;
                        break;
                    case FieldReference fr:
                        foreach (var e in Expand(fr.DeclaringType)) yield return e;
                        foreach (var e in Expand(fr.FieldType)) yield return e;
                        break;
                }
        }
    }

    /// <summary>A type with its element and generic argument types (List&lt;Batch&gt; uses Batch).</summary>
    static IEnumerable<TypeReference> Expand(TypeReference? t)
    {
        if (t is null) yield break;
        switch (t)
        {
            case GenericInstanceType g:
                yield return g.ElementType;
                foreach (var a in g.GenericArguments) foreach (var e in Expand(a)) yield return e;
                break;
            case FunctionPointerType f:   // delegate* unmanaged<...> (Native/Nnpack): its return and parameter types
                foreach (var e in Expand(f.ReturnType)) yield return e;
                foreach (var p in f.Parameters) foreach (var e in Expand(p.ParameterType)) yield return e;
                break;
            case TypeSpecification s:   // arrays, by-ref, pointers, modifiers
                foreach (var e in Expand(s.ElementType)) yield return e;
                break;
            case GenericParameter:
                break;
            default:
                yield return t;
                break;
        }
    }
}
