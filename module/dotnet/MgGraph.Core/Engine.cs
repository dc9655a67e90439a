// The process-wide engine session, secrets, and the hand-written commands' calls. A static
// class is per process, so every runspace (ForEach-Object -Parallel, jobs in process) shares
// one session and one signed-in context, as the SDK's context is shared.

using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;

namespace MgGraph.PowerShell
{
    /// <summary>The engine as the module uses it: the shared session, calls, secrets.</summary>
    public static class Engine
    {
        private static readonly object Gate = new object();
        private static IntPtr s_session;

        /// <summary>How long one native wait lasts (ms): short enough that Ctrl+C is honoured at once.</summary>
        internal const uint WaitSliceMs = 200;

        /// <summary>The shared session handle (created on first use, never freed).</summary>
        internal static IntPtr Session
        {
            get
            {
                if (s_session != IntPtr.Zero) return s_session;
                lock (Gate)
                {
                    if (s_session != IntPtr.Zero) return s_session;
                    NativeMethods.EnsureResolver();
                    var status = NativeMethods.mggraph_session_shared(out var session);
                    if (status != Status.Ok) throw new InvalidOperationException("MgGraph: could not create the session: " + LastError(status));
                    s_session = session;
                    return session;
                }
            }
        }

        /// <summary>The engine library's full path (where it was found; see README, "Try it").</summary>
        public static string LibraryPath => NativeMethods.LibraryPath();

        /// <summary>The engine's version string.</summary>
        public static string Version
        {
            get
            {
                NativeMethods.EnsureResolver();
                NativeMethods.mggraph_version(out var p);
                return Marshal.PtrToStringUTF8(p);
            }
        }

        /// <summary>The engine's message for the last failed call on this thread.</summary>
        internal static string LastError(uint status)
        {
            NativeMethods.mggraph_last_error(out var p);
            return NativeMethods.TakeString(p) ?? $"MgGraph engine call failed with status {status}.";
        }

        /// <summary>The SDK module whose cmdlet <paramref name="name"/> is
        /// (<c>Get-MgUser</c> → <c>Microsoft.Graph.Users</c>), or null when the catalog has no
        /// such cmdlet.</summary>
        /// <exception cref="InvalidOperationException">The engine refused the name.</exception>
        public static string CommandModule(string name)
        {
            NativeMethods.EnsureResolver();
            var status = NativeMethods.mggraph_command_module(NativeMethods.Utf8(name), out var module);
            if (status != Status.Ok) throw new InvalidOperationException("MgGraph: " + LastError(status));
            return NativeMethods.TakeString(module);
        }

        /// <summary>What a generated cmdlet needs of its catalog command to run it (parsed JSON:
        /// <c>{name, outputClass, outputType, sets, pathParams}</c>), or null when the catalog has
        /// no such command.</summary>
        /// <exception cref="InvalidOperationException">The engine refused the name.</exception>
        public static object DescribeCommand(string name)
        {
            NativeMethods.EnsureResolver();
            var status = NativeMethods.mggraph_command_describe(NativeMethods.Utf8(name), out var json);
            if (status != Status.Ok) throw new InvalidOperationException("MgGraph: " + LastError(status));
            var text = NativeMethods.TakeString(json);
            return text == null ? null : JsonValues.Parse(text);
        }

        /// <summary>Starts an engine call from its request (JSON text).</summary>
        /// <exception cref="InvalidOperationException">The engine refused the request.</exception>
        public static EngineCall Start(string requestJson)
        {
            var session = Session;
            var status = NativeMethods.mggraph_call_start(session, NativeMethods.Utf8(requestJson), out var call);
            if (status != Status.Ok) throw new InvalidOperationException("MgGraph: the engine refused the request: " + LastError(status));
            return new EngineCall(call);
        }

        /// <summary>Hands a secret (SecureString, string or char[]) to the engine and returns the
        /// reference a request carries in its place, <c>@{ mggraphSecret = id }</c>; the id joins
        /// <paramref name="issued"/>, which the caller frees with <see cref="RemoveSecrets"/>. The
        /// text never becomes a PowerShell string or variable (Set-PSDebug -Trace 2 would print it):
        /// a SecureString's characters go through an unmanaged copy zeroed at once.</summary>
        public static Hashtable AddSecret(object secret, List<ulong> issued)
        {
            if (secret is PSObject pso) secret = pso.BaseObject;
            ulong id;
            uint status;
            NativeMethods.EnsureResolver();
            if (secret is SecureString secure)
            {
                var unmanaged = Marshal.SecureStringToGlobalAllocUnicode(secure);
                try { status = NativeMethods.mggraph_secret_new(unmanaged, (uint)secure.Length, out id); }
                finally { Marshal.ZeroFreeGlobalAllocUnicode(unmanaged); }
            }
            else if (secret is string || secret is char[])
            {
                var length = secret is string s ? s.Length : ((char[])secret).Length;
                var pinned = GCHandle.Alloc(secret, GCHandleType.Pinned);
                try { status = NativeMethods.mggraph_secret_new(pinned.AddrOfPinnedObject(), (uint)length, out id); }
                finally { pinned.Free(); }
            }
            else throw new ArgumentException("MgGraph: a secret must be a SecureString, a string or a char array.");
            if (status != Status.Ok) throw new InvalidOperationException("MgGraph: the engine refused a secret: " + LastError(status));
            issued?.Add(id);
            return new Hashtable { ["mggraphSecret"] = id };
        }

        /// <summary>Frees the secrets <see cref="AddSecret"/> handed to the engine (it wipes them).</summary>
        public static void RemoveSecrets(List<ulong> issued)
        {
            if (issued == null) return;
            foreach (var id in issued) NativeMethods.mggraph_secret_free(id);
            issued.Clear();
        }

        /// <summary>Runs a hand-written command's engine call (<c>{command, params, verbose,
        /// debug}</c>) to completion, writing its events to <paramref name="cmdlet"/>'s streams.
        /// <paramref name="modelId"/> names the catalog model of its output (null: plain values);
        /// <paramref name="responses"/> collects RESPONSE envelopes (Invoke-MgGraphRequest);
        /// <paramref name="capture"/> collects output instead of writing it. With no cmdlet,
        /// errors are thrown.</summary>
        public static void InvokeBuiltin(string name, IDictionary parameters, PSCmdlet cmdlet, string modelId,
            List<string> responses, IList capture, bool verbose, bool debug)
        {
            var request = new Dictionary<string, object>
            {
                ["command"] = name,
                ["params"] = parameters ?? new Hashtable(),
                ["verbose"] = verbose,
                ["debug"] = debug,
            };
            var type = string.IsNullOrEmpty(modelId) ? null : ModelType(modelId);
            using (var call = Start(WireValue.ToJson(request)))
            {
                call.Pump(cmdlet, type, responses, capture, false);
            }
        }

        private static readonly ConcurrentDictionary<string, Type> ModelTypes = new ConcurrentDictionary<string, Type>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The compiled class of a catalog model id (a hand-written id such as
        /// <c>authContext</c>, or a generated one such as <c>microsoft.graph.user</c>), asked of
        /// the catalog once per process.</summary>
        /// <exception cref="InvalidOperationException">The model or its class is unknown.</exception>
        public static Type ModelType(string id)
        {
            return ModelTypes.GetOrAdd(id, key =>
            {
                var answer = new List<object>();
                InvokeBuiltin("MgGraph.DescribeModels", new Hashtable { ["Id"] = key }, null, null, null, answer, false, false);
                if (answer.Count == 0 || !(answer[0] is IDictionary d) || !(d["models"] is object[] models) || models.Length == 0 || !(models[0] is IDictionary first))
                    throw new InvalidOperationException($"MgGraph: unknown model '{key}'.");
                var fullName = first["namespace"] + "." + first["class"];
                return FindType(fullName) ?? throw new InvalidOperationException($"MgGraph: the class {fullName} of model '{key}' is not loaded.");
            });
        }

        /// <summary>The assembly each namespace's last type was found in: a cmdlet's first call
        /// asks for its output class, and nearly all of them live in the two model assemblies.</summary>
        private static readonly ConcurrentDictionary<string, System.Reflection.Assembly> NamespaceHomes = new ConcurrentDictionary<string, System.Reflection.Assembly>(StringComparer.Ordinal);

        /// <summary>A type by full name among the loaded assemblies: first in the assembly that
        /// held the namespace's last find, else in each; a model class whose assembly is not
        /// loaded yet is loaded from beside the core. Null when no assembly defines it.</summary>
        internal static Type FindType(string fullName)
        {
            var dot = fullName.LastIndexOf('.');
            var ns = dot > 0 ? fullName.Substring(0, dot) : "";
            if (NamespaceHomes.TryGetValue(ns, out var home))
            {
                var t = home.GetType(fullName, false);
                if (t != null) return t;
            }
            foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
            {
                var t = assembly.GetType(fullName, false);
                if (t == null) continue;
                NamespaceHomes[ns] = assembly;
                return t;
            }
            // A model class of an API version no imported module has loaded the models of (a
            // v1.0 cmdlet run as its beta twin after Select-MgProfile beta): they are beside
            // the core.
            var models = ns.StartsWith("Microsoft.Graph.Beta.PowerShell", StringComparison.Ordinal) ? "MgGraph.Models.Beta.dll"
                : ns.StartsWith("Microsoft.Graph.PowerShell", StringComparison.Ordinal) ? "MgGraph.Models.dll" : null;
            if (models == null) return null;
            var path = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(typeof(Engine).Assembly.Location) ?? ".", models);
            if (!System.IO.File.Exists(path)) return null;
            var loaded = System.Reflection.Assembly.LoadFrom(path).GetType(fullName, false);
            if (loaded != null) NamespaceHomes[ns] = loaded.Assembly;
            return loaded;
        }
    }
}
