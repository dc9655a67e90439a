// The SDK's session object and the enums its context names, for scripts that reach past the
// cmdlets: `[Microsoft.Graph.PowerShell.Authentication.GraphSession]::Instance.AuthContext`
// (is anyone signed in, with which scopes) is a common connection check in admin scripts.
// The state itself lives in the engine; this object reads it on each access.

using System;
using System.Collections;
using System.Collections.Generic;
using MgGraph.PowerShell;

namespace Microsoft.Graph.PowerShell.Authentication
{
    /// <summary>How the session signed in (the SDK's <c>AuthContext.AuthType</c> values).</summary>
    public enum AuthenticationType
    {
        /// <summary>A user signed in (interactive, device code).</summary>
        Delegated,
        /// <summary>An application signed in (certificate, client secret).</summary>
        AppOnly,
        /// <summary>A token the caller passed to <c>-AccessToken</c>.</summary>
        UserProvidedAccessToken,
        /// <summary>An Azure managed identity.</summary>
        ManagedIdentity,
        /// <summary>Credentials from environment variables.</summary>
        EnvironmentVariable,
    }

    /// <summary>The credential a sign-in used (the SDK's <c>AuthContext.TokenCredentialType</c>).</summary>
    public enum TokenCredentialType
    {
        /// <summary>A browser sign-in.</summary>
        InteractiveBrowser,
        /// <summary>The device-code flow.</summary>
        DeviceCode,
        /// <summary>A certificate.</summary>
        ClientCertificate,
        /// <summary>A token the caller passed.</summary>
        UserProvidedAccessToken,
        /// <summary>An Azure managed identity.</summary>
        ManagedIdentity,
        /// <summary>A client secret.</summary>
        ClientSecret,
        /// <summary>Credentials from environment variables.</summary>
        EnvironmentVariable,
    }

    /// <summary>The process's Microsoft Graph session, as the SDK exposes it: one instance,
    /// whose properties are what Get-MgContext, Get-MgRequestContext and Get-MgGraphOption
    /// return at the moment they are read.</summary>
    public sealed class GraphSession
    {
        private static readonly GraphSession Current = new GraphSession();

        private GraphSession() { }

        /// <summary>The session. Always there once the module is imported (the SDK throws
        /// before its module has initialised it; here the type exists only after import).</summary>
        public static GraphSession Instance => Current;

        /// <summary>Whether <see cref="Instance"/> can be read (always, as above).</summary>
        public static bool Exists => true;

        /// <summary>The sign-in (the object Get-MgContext returns), or null when nobody is
        /// signed in.</summary>
        public object AuthContext => First("Get-MgContext", "authContext");

        /// <summary>The retry, timeout and concurrency settings (Get-MgRequestContext).</summary>
        public object RequestContext => First("Get-MgRequestContext", "requestContext");

        /// <summary>The global options (Get-MgGraphOption).</summary>
        public object GraphOption => Cmdlets.GraphOptions.Current();

        /// <summary>The API version v1.0-named cmdlets call: <c>v1.0</c>, or <c>beta</c> after
        /// <c>Select-MgProfile beta</c>.</summary>
        public string SelectedProfile => AppDomain.CurrentDomain.GetData("MgGraph.Profile") as string ?? "v1.0";

        /// <summary>The first object a built-in engine command returns as the model
        /// <paramref name="modelId"/>, or null when it returns none.</summary>
        private static object First(string command, string modelId)
        {
            var output = new List<object>();
            Engine.InvokeBuiltin(command, new Hashtable(), null, modelId, null, output, false, false);
            return output.Count > 0 ? output[0] : null;
        }
    }
}
