// PowerShell makes two delegates per cmdlet class on the class's first call, each an expression
// tree compiled to IL and JIT-compiled: the constructor (CommandProcessor.ConstructInstance) and,
// per bound parameter, a setter (ReflectionParameterBinder.GetSetter). It keeps them in two
// static caches, which it fills ahead for its own busiest cmdlets. MgGraph fills them for a
// generated cmdlet class on its name's first look-up with delegates that compile nothing.
// Measured: README, "Where the remaining time goes".

using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace MgGraph.PowerShell
{
    /// <summary>Fills PowerShell's constructor and parameter-setter caches for generated cmdlet
    /// classes. Both caches are PowerShell's non-public statics; where a version of PowerShell
    /// names or types them otherwise, nothing is filled and PowerShell compiles its own
    /// delegates as before.</summary>
    internal static class BindingCaches
    {
        const BindingFlags Static = BindingFlags.NonPublic | BindingFlags.Static;

        /// <summary><c>CommandProcessor.s_constructInstanceCache</c>: cmdlet class → constructor.</summary>
        static readonly ConcurrentDictionary<Type, Func<Cmdlet>> Constructors =
            Find<ConcurrentDictionary<Type, Func<Cmdlet>>>("System.Management.Automation.CommandProcessor", "s_constructInstanceCache");

        /// <summary><c>ReflectionParameterBinder.s_setterMethods</c>: (cmdlet class, parameter) → setter.</summary>
        static readonly ConcurrentDictionary<Tuple<Type, string>, Action<object, object>> Setters =
            Find<ConcurrentDictionary<Tuple<Type, string>, Action<object, object>>>("System.Management.Automation.ReflectionParameterBinder", "s_setterMethods");

        static T Find<T>(string type, string field) where T : class
        {
            try { return typeof(PSObject).Assembly.GetType(type, false)?.GetField(field, Static)?.GetValue(null) as T; }
            catch (Exception) { return null; }
        }

        /// <summary>Whether PowerShell's caches were found (false: <see cref="Prime"/> does nothing).</summary>
        internal static bool Available => Constructors != null && Setters != null;

        /// <summary>Adds <paramref name="cmdlet"/>'s constructor and a setter for each of its
        /// public fields (its parameters, the base class's included) to PowerShell's caches,
        /// keeping any entry PowerShell made already. The parameter binder converts a value to
        /// the parameter's type before it calls the setter, except a null (only switches and
        /// booleans are given a value for it): PowerShell's compiled setter refuses a null for a
        /// value type (<c>-Top $null</c>: "Cannot convert null to type "System.Int32"."), where
        /// <c>FieldInfo.SetValue</c> would store 0, so the setter refuses it the same way. A
        /// constructor's exception is rethrown as itself, not wrapped as
        /// <c>Activator.CreateInstance</c> wraps it. Does nothing for a class that is not a
        /// generated cmdlet.</summary>
        internal static void Prime(Type cmdlet)
        {
            if (!Available || cmdlet == null || cmdlet.IsAbstract || !typeof(MgCatalogCmdlet).IsAssignableFrom(cmdlet)) return;
            if (Constructors.ContainsKey(cmdlet)) return;
            foreach (var field in cmdlet.GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                if (field.IsInitOnly) continue;
                var f = field;
                var refusesNull = f.FieldType.IsValueType && Nullable.GetUnderlyingType(f.FieldType) == null;
                Setters.TryAdd(Tuple.Create(cmdlet, f.Name), (target, value) =>
                {
                    if (value == null && refusesNull)
                        throw new PSInvalidCastException($"Cannot convert null to type \"{f.FieldType}\".");
                    f.SetValue(target, value);
                });
            }
            // Last: its presence marks the class as primed.
            Constructors.TryAdd(cmdlet, () =>
            {
                try { return (Cmdlet)Activator.CreateInstance(cmdlet); }
                catch (TargetInvocationException e) when (e.InnerException != null)
                {
                    ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                    throw;
                }
            });
        }
    }
}
