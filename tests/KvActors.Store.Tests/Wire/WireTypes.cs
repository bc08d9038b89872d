using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Google.Protobuf;

namespace KvActors.Store.Tests.Wire;

/// <summary>
/// Finds, by reflection over our built assemblies, the types that can cross the wire: every
/// protobuf message, and every type one of our actors receives (Receive&lt;T&gt; or a type test in
/// its receive code), so a hand-written record used as an actor message is found too.
/// </summary>
public static class WireTypes
{
    /// <summary>The production assemblies beside the test (KvActors.*.dll and kvnode.dll), never test assemblies.</summary>
    public static IReadOnlyList<Assembly> OurAssemblies()
    {
        var folder = AppContext.BaseDirectory;
        var files = Directory.GetFiles(folder, "KvActors.*.dll").Append(Path.Combine(folder, "kvnode.dll")).Where(File.Exists);
        return files
            .Select(f => AssemblyName.GetAssemblyName(f))
            .Where(n => n.Name is { } name && !name.EndsWith(".Tests", StringComparison.Ordinal) && name != "KvActors.TestKit")
            .Select(n => Assembly.Load(n))
            .OrderBy(a => a.GetName().Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Every concrete protobuf message class.</summary>
    public static IEnumerable<Type> ProtobufMessages(IEnumerable<Assembly> assemblies) =>
        assemblies.SelectMany(LoadableTypes).Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IMessage).IsAssignableFrom(t));

    /// <summary>Types of ours that an actor of ours receives, with the actor that receives each.</summary>
    public static IReadOnlyDictionary<Type, string> ActorMessages(IReadOnlyList<Assembly> assemblies)
    {
        var ours = assemblies.ToHashSet();
        var found = new Dictionary<Type, string>();
        foreach (var actor in assemblies.SelectMany(LoadableTypes).Where(t => typeof(ActorBase).IsAssignableFrom(t)))
        {
            foreach (var type in ReceivedTypes(actor).Where(t => ours.Contains(t.Assembly)))
                found.TryAdd(type, actor.FullName!);
        }
        return found;
    }

    /// <summary>Type arguments of Receive/ReceiveAsync calls and isinst/castclass targets in the actor's code and its lambdas.</summary>
    private static IEnumerable<Type> ReceivedTypes(Type actor)
    {
        var types = new List<Type>();
        foreach (var owner in NestedTypes(actor))
        {
            const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
            var bodies = owner.GetMethods(all).Cast<MethodBase>().Concat(owner.GetConstructors(all));
            foreach (var method in bodies)
            {
                foreach (var (opcode, token) in Tokens(method))
                {
                    if (opcode.OperandType == OperandType.InlineMethod)
                    {
                        if (Resolve(() => method.Module.ResolveMethod(token, GenericArgs(owner), GenericArgs(method))) is MethodInfo { IsGenericMethod: true } call
                            && call.Name is "Receive" or "ReceiveAsync"
                            && typeof(ActorBase).IsAssignableFrom(call.DeclaringType))
                            types.AddRange(call.GetGenericArguments());
                    }
                    else if (opcode == OpCodes.Isinst || opcode == OpCodes.Castclass || opcode == OpCodes.Unbox_Any)
                    {
                        if (Resolve(() => method.Module.ResolveType(token, GenericArgs(owner), GenericArgs(method))) is { } type) types.Add(type);
                    }
                }
            }
        }
        return types;
    }

    private static IEnumerable<Type> NestedTypes(Type type) =>
        type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).SelectMany(NestedTypes).Prepend(type);

    private static Type[]? GenericArgs(MemberInfo member) => member switch
    {
        Type { IsGenericType: true } t => t.GetGenericArguments(),
        MethodInfo { IsGenericMethod: true } m => m.GetGenericArguments(),
        _ => null,
    };

    private static T? Resolve<T>(Func<T?> resolve) where T : class
    {
        try { return resolve(); }
        catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or MissingMemberException) { return null; }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The opcodes of <paramref name="method"/>'s IL that carry a metadata token, with the token.</summary>
    private static IEnumerable<(OpCode OpCode, int Token)> Tokens(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i++];
            if (value == 0xFE) value = unchecked((short)(0xFE00 | il[i++]));
            if (!OpCodesByValue.TryGetValue(value, out var opcode)) yield break; // not IL we understand: stop rather than misread
            switch (opcode.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineSwitch:
                    var cases = BitConverter.ToInt32(il, i);
                    i += 4 + 4 * cases;
                    break;
                case OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok or OperandType.InlineField:
                    yield return (opcode, BitConverter.ToInt32(il, i));
                    i += 4;
                    break;
                default: // InlineI, InlineBrTarget, InlineSig, InlineString, ShortInlineR
                    i += 4;
                    break;
            }
        }
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try { return assembly.GetTypes(); }
        catch (ReflectionTypeLoadException e) { return e.Types.Where(t => t is not null)!; }
    }

    /// <summary>An instance to ask Akka about: a real one for protobuf messages, an uninitialised one otherwise (Akka looks at the type only).</summary>
    public static object InstanceOf(Type type) =>
        typeof(IMessage).IsAssignableFrom(type) ? Activator.CreateInstance(type)! : RuntimeHelpers.GetUninitializedObject(type);
}
