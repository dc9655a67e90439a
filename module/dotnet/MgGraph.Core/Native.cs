// The engine's C functions (include/mggraph.h) and where the engine library is found. The one
// place where .NET meets the C ABI: every other class goes through Engine and EngineCall.

using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MgGraph.PowerShell
{
    /// <summary>Status codes of include/mggraph.h (<c>mggraph_status</c>).</summary>
    internal static class Status
    {
        public const uint Ok = 0;
        public const uint Pending = 1;
        public const uint Done = 2;
        public const uint Cancelled = 4001;
    }

    /// <summary>Event kinds of <c>mggraph_call_next</c> (<c>MGGRAPH_EVENT_*</c>).</summary>
    internal static class EventKind
    {
        public const uint Output = 1;
        public const uint Response = 2;
        public const uint Error = 3;
        public const uint Verbose = 4;
        public const uint Debug = 5;
        public const uint Warning = 6;
        public const uint Information = 7;
        public const uint Progress = 8;
        public const uint Meta = 9;
    }

    /// <summary>P/Invoke declarations, one per export of include/mggraph.h (tests/generated.rs
    /// checks the two lists agree). Strings in are NUL-terminated UTF-8 byte arrays; strings out
    /// are owned and freed with <c>mggraph_string_free</c>.</summary>
    internal static class NativeMethods
    {
        private const string Library = "mggraph";

        static NativeMethods()
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeMethods).Assembly, Resolve);
        }

        /// <summary>Forces the resolver to be registered before the first P/Invoke.</summary>
        internal static void EnsureResolver() { }

        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
        {
            return name == Library ? NativeLibrary.Load(LibraryPath()) : IntPtr.Zero;
        }

        /// <summary>The engine: MGGRAPH_NATIVE_LIBRARY, else runtimes/&lt;rid&gt;/native in a
        /// packaged module, else a checkout's target/release or target/debug, looked for in the
        /// folders above this assembly.</summary>
        /// <exception cref="FileNotFoundException">No engine was found (names every place looked at).</exception>
        internal static string LibraryPath()
        {
            string file, os;
            if (OperatingSystem.IsWindows()) { file = "mggraph.dll"; os = "win"; }
            else if (OperatingSystem.IsMacOS()) { file = "libmggraph.dylib"; os = "osx"; }
            else { file = "libmggraph.so"; os = "linux"; }
            var explicitPath = Environment.GetEnvironmentVariable("MGGRAPH_NATIVE_LIBRARY");
            if (!string.IsNullOrEmpty(explicitPath))
            {
                // An explicit path is authoritative: silently using another build would hide mistakes.
                if (File.Exists(explicitPath)) return Path.GetFullPath(explicitPath);
                throw new FileNotFoundException($"MgGraph: MGGRAPH_NATIVE_LIBRARY is set to '{explicitPath}', but no native engine is there.");
            }
            var rid = os + "-" + RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
            var looked = new System.Collections.Generic.List<string>();
            var dir = Path.GetDirectoryName(typeof(NativeMethods).Assembly.Location);
            for (int up = 0; up < 5 && dir != null; up++, dir = Path.GetDirectoryName(dir))
            {
                foreach (var candidate in new[] {
                    Path.Combine(dir, "runtimes", rid, "native", file),
                    Path.Combine(dir, "target", "release", file),
                    Path.Combine(dir, "target", "debug", file) })
                {
                    if (File.Exists(candidate)) return Path.GetFullPath(candidate);
                    looked.Add(candidate);
                }
            }
            throw new FileNotFoundException(
                $"MgGraph: the native engine '{file}' for {rid} was not found. Looked in: {string.Join("; ", looked)}. " +
                "Build it with 'cargo build --release' in the repository, or set MGGRAPH_NATIVE_LIBRARY to its full path.");
        }

        [DllImport(Library)] internal static extern uint mggraph_version(out IntPtr version);
        [DllImport(Library)] internal static extern uint mggraph_last_error(out IntPtr message);
        [DllImport(Library)] internal static extern uint mggraph_session_new(byte[] optionsJson, out IntPtr session);
        [DllImport(Library)] internal static extern uint mggraph_session_shared(out IntPtr session);
        [DllImport(Library)] internal static extern uint mggraph_session_free(IntPtr session);
        [DllImport(Library)] internal static extern uint mggraph_session_permissions(IntPtr session, uint clear, out IntPtr json);
        [DllImport(Library)] internal static extern uint mggraph_call_start(IntPtr session, byte[] requestJson, out IntPtr call);
        [DllImport(Library)] internal static extern uint mggraph_call_next(IntPtr call, uint timeoutMs, out uint kind, out IntPtr payload);
        [DllImport(Library)] internal static extern uint mggraph_call_push(IntPtr call, byte[] inputJson);
        [DllImport(Library)] internal static extern uint mggraph_call_finish_input(IntPtr call);
        [DllImport(Library)] internal static extern uint mggraph_call_cancel(IntPtr call);
        [DllImport(Library)] internal static extern uint mggraph_call_free(IntPtr call);
        [DllImport(Library)] internal static extern uint mggraph_string_free(IntPtr text);
        [DllImport(Library)] internal static extern uint mggraph_secret_new(IntPtr text, uint length, out ulong id);
        [DllImport(Library)] internal static extern uint mggraph_secret_free(ulong id);
        [DllImport(Library)] internal static extern uint mggraph_command_module(byte[] name, out IntPtr module);
        [DllImport(Library)] internal static extern uint mggraph_command_describe(byte[] name, out IntPtr json);

        /// <summary>A NUL-terminated UTF-8 copy of a string, for the C side.</summary>
        internal static byte[] Utf8(string text)
        {
            var count = System.Text.Encoding.UTF8.GetByteCount(text);
            var buffer = new byte[count + 1];
            System.Text.Encoding.UTF8.GetBytes(text, 0, text.Length, buffer, 0);
            return buffer;
        }

        /// <summary>Reads and frees an owned string from the engine.</summary>
        internal static string TakeString(IntPtr text)
        {
            if (text == IntPtr.Zero) return null;
            try { return Marshal.PtrToStringUTF8(text); }
            finally { mggraph_string_free(text); }
        }
    }
}
