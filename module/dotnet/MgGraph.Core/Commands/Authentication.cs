// Sign-in, context, environments and request settings: the SDK's Authentication module.

using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MgGraph.PowerShell;

namespace Microsoft.Graph.PowerShell.Authentication.Cmdlets
{
    /// <summary>The process environment and certificates the engine needs.</summary>
    internal static class SignIn
    {
        private static readonly string[] Names =
        {
            "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_CERTIFICATE_PATH", "IDENTITY_ENDPOINT",
            "IMDS_ENDPOINT", "MSI_ENDPOINT", "AZURE_POD_IDENTITY_AUTHORITY_HOST", "MGGRAPH_IMDS_ENDPOINT",
            "MGGRAPH_ARC_TOKEN_DIR", "MGGRAPH_BROWSER", "MGGRAPH_CACHE_DIR",
        };

        private static readonly string[] SecretNames = { "AZURE_CLIENT_SECRET", "IDENTITY_HEADER", "MSI_SECRET" };

        /// <summary>The process environment the engine needs (-Identity, -EnvironmentVariable,
        /// the token cache and browser settings): .NET keeps environment changes to itself on
        /// Unix, so the engine cannot read them directly. With issued, the secret ones (a client
        /// secret, a managed identity's header) are included as references to secrets handed to
        /// the engine, never as text; without it they are left out.</summary>
        internal static Hashtable Environment(List<ulong> issued)
        {
            var vars = new Hashtable();
            foreach (var n in Names)
            {
                var v = System.Environment.GetEnvironmentVariable(n);
                if (!string.IsNullOrEmpty(v)) vars[n] = v;
            }
            if (issued != null)
            {
                foreach (var n in SecretNames)
                {
                    if (!string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable(n)))
                        vars[n] = Engine.AddSecret(System.Environment.GetEnvironmentVariable(n), issued);
                }
            }
            return vars;
        }

        /// <summary>A certificate with its private key from CurrentUser\My, then LocalMachine\My:
        /// by thumbprint, or by subject (the newest valid one, as the SDK picks).</summary>
        /// <exception cref="ItemNotFoundException">None was found.</exception>
        internal static X509Certificate2 FindCertificate(string thumbprint, string subjectName)
        {
            var now = DateTime.Now;
            foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
            {
                using (var store = new X509Store(StoreName.My, location))
                {
                    try { store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly); }
                    catch (Exception) { continue; }
                    X509Certificate2 best = null;
                    foreach (var c in store.Certificates)
                    {
                        if (!c.HasPrivateKey || c.NotAfter <= now) continue;
                        if (!string.IsNullOrEmpty(thumbprint) && !string.Equals(c.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase)) continue;
                        if (!string.IsNullOrEmpty(subjectName) && !string.Equals(c.Subject, subjectName, StringComparison.OrdinalIgnoreCase) &&
                            !string.Equals(c.Subject, "CN=" + subjectName, StringComparison.OrdinalIgnoreCase)) continue;
                        if (best == null || c.NotBefore > best.NotBefore) best = c;
                    }
                    if (best != null) return best;
                }
            }
            var what = !string.IsNullOrEmpty(thumbprint) ? "thumbprint " + thumbprint : $"subject '{subjectName}'";
            throw new ItemNotFoundException($"No valid certificate with a private key and {what} was found in CurrentUser\\My or LocalMachine\\My.");
        }

        /// <summary>What the engine needs to sign client assertions: the certificate, and its key
        /// handed to the engine as a secret (its id joins issued). The key's bytes and their
        /// base64 are wiped at once.</summary>
        /// <exception cref="ArgumentException">No exportable RSA private key.</exception>
        internal static void AddCertificate(Hashtable parameters, X509Certificate2 certificate, bool sendChain, List<ulong> issued)
        {
            using (var rsa = certificate.GetRSAPrivateKey())
            {
                if (rsa == null) throw new ArgumentException($"The certificate '{certificate.Subject}' has no RSA private key.");
                byte[] der = null;
                char[] text = null;
                try
                {
                    try { der = rsa.ExportPkcs8PrivateKey(); }
                    catch (Exception e) { throw new ArgumentException($"The private key of certificate '{certificate.Subject}' cannot be exported: {e.Message}"); }
                    text = new char[4 * ((der.Length + 2) / 3)];
                    System.Convert.ToBase64CharArray(der, 0, der.Length, text, 0);
                    parameters["CertificateDer"] = System.Convert.ToBase64String(certificate.RawData);
                    parameters["CertificateKey"] = Engine.AddSecret(text, issued);
                    parameters["CertificateThumbprint"] = certificate.Thumbprint;
                    parameters["CertificateSubjectName"] = certificate.Subject;
                    parameters["SendCertificateChain"] = sendChain;
                }
                finally
                {
                    if (der != null) Array.Clear(der, 0, der.Length);
                    if (text != null) Array.Clear(text, 0, text.Length);
                }
            }
        }
    }

    /// <summary>Connect-MgGraph: signs in to Microsoft Graph (or to the built-in sandbox tenant).</summary>
    [Cmdlet(VerbsCommunications.Connect, "MgGraph", DefaultParameterSetName = "UserParameterSet",
        HelpUri = "https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/connect-mggraph")]
    [Alias("Connect-Graph")]
    [OutputType(typeof(string))]
    public sealed class ConnectMgGraph : MgBuiltinCmdlet
    {
        /// <summary>Delegated permissions to request.</summary>
        [Parameter(ParameterSetName = "UserParameterSet", Position = 1)]
        public string[] Scopes { get; set; }

        /// <summary>The application (client) id.</summary>
        [Parameter(ParameterSetName = "UserParameterSet")]
        [Parameter(ParameterSetName = "AppCertificateParameterSet", Position = 1, Mandatory = true)]
        [Parameter(ParameterSetName = "IdentityParameterSet")]
        [Alias("AppId", "ApplicationId")]
        public string ClientId { get; set; }

        /// <summary>App-only sign-in with the newest valid certificate of this subject.</summary>
        [Parameter(ParameterSetName = "AppCertificateParameterSet", Position = 2)]
        [Alias("CertificateSubject", "CertificateName")]
        public string CertificateSubjectName { get; set; }

        /// <summary>App-only sign-in with the certificate of this thumbprint.</summary>
        [Parameter(ParameterSetName = "AppCertificateParameterSet", Position = 3)]
        public string CertificateThumbprint { get; set; }

        /// <summary>App-only sign-in with this certificate.</summary>
        [Parameter(ParameterSetName = "AppCertificateParameterSet")]
        public X509Certificate2 Certificate { get; set; }

        /// <summary>Sends the certificate chain (x5c).</summary>
        [Parameter(ParameterSetName = "AppCertificateParameterSet")]
        public bool SendCertificateChain { get; set; } = false;

        /// <summary>App-only sign-in with a client secret.</summary>
        [Parameter(ParameterSetName = "AppSecretCredentialParameterSet", Mandatory = true)]
        [Alias("SecretCredential", "Credential")]
        public PSCredential ClientSecretCredential { get; set; }

        /// <summary>An access token used as it is.</summary>
        [Parameter(ParameterSetName = "AccessTokenParameterSet", Position = 1, Mandatory = true)]
        public SecureString AccessToken { get; set; }

        /// <summary>Managed identity sign-in.</summary>
        [Parameter(ParameterSetName = "IdentityParameterSet", Mandatory = true)]
        [Alias("ManagedIdentity", "ManagedServiceIdentity", "MSI")]
        public SwitchParameter Identity { get; set; }

        /// <summary>Sign-in with the AZURE_* environment variables.</summary>
        [Parameter(ParameterSetName = "EnvironmentVariableParameterSet", Mandatory = true)]
        public SwitchParameter EnvironmentVariable { get; set; }

        /// <summary>The tenant id or domain.</summary>
        [Parameter(ParameterSetName = "UserParameterSet", Position = 4)]
        [Parameter(ParameterSetName = "AppCertificateParameterSet")]
        [Parameter(ParameterSetName = "AppSecretCredentialParameterSet")]
        [Alias("Audience", "Tenant")]
        public string TenantId { get; set; }

        /// <summary>Process or CurrentUser.</summary>
        [Parameter(ParameterSetName = "UserParameterSet")]
        [Parameter(ParameterSetName = "AppCertificateParameterSet")]
        [Parameter(ParameterSetName = "AppSecretCredentialParameterSet")]
        [Parameter(ParameterSetName = "IdentityParameterSet")]
        [Parameter(ParameterSetName = "EnvironmentVariableParameterSet")]
        public ContextScope ContextScope { get; set; }

        /// <summary>The cloud to sign in to.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [Alias("EnvironmentName", "NationalCloud")]
        [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
        public string Environment { get; set; }

        /// <summary>Device code sign-in.</summary>
        [Parameter(ParameterSetName = "UserParameterSet")]
        [Alias("UseDeviceAuthentication", "DeviceCode", "DeviceAuth", "Device")]
        public SwitchParameter UseDeviceCode { get; set; }

        /// <summary>The account to pre-fill.</summary>
        [Parameter(ParameterSetName = "UserParameterSet")]
        public string LoginHint { get; set; }

        /// <summary>HTTP timeout in seconds.</summary>
        [Parameter]
        [ValidateRange(1.0, 86400.0)]
        public double ClientTimeout { get; set; }

        /// <summary>Suppresses the welcome message.</summary>
        [Parameter]
        public SwitchParameter NoWelcome { get; set; }

        /// <summary>Settings of the in-process sandbox.</summary>
        [Parameter(ParameterSetName = "UserParameterSet")]
        public Hashtable SandboxOptions { get; set; }

        /// <summary>Signs in.</summary>
        protected override void EndProcessing()
        {
            // Secrets travel as references to what the engine was handed, never as text in the
            // request; they are freed when the sign-in is over.
            var secrets = new List<ulong>();
            try
            {
                var set = ParameterSetName;
                var parameters = new Hashtable
                {
                    ["PSHostVersion"] = PSHostVersion(),
                    ["ParameterSet"] = set,
                    ["ProcessEnvironment"] = SignIn.Environment(secrets),
                };
                var bound = MyInvocation.BoundParameters;
                foreach (var name in new[] { "ClientId", "TenantId", "Environment", "ContextScope", "LoginHint", "CertificateThumbprint", "CertificateSubjectName" })
                {
                    if (bound.TryGetValue(name, out var v)) parameters[name] = Convert.ToString(Unwrap(v), CultureInfo.InvariantCulture) ?? "";
                }
                if (bound.ContainsKey("Scopes")) parameters["Scopes"] = Scopes ?? Array.Empty<string>();
                if (bound.ContainsKey("ClientTimeout")) parameters["ClientTimeout"] = (int)Math.Ceiling(ClientTimeout);
                if (NoWelcome) parameters["NoWelcome"] = true;
                if (UseDeviceCode) parameters["UseDeviceCode"] = true;
                if (SandboxOptions != null)
                {
                    try { parameters["SandboxOptions"] = WireValue.Convert(SandboxOptions); }
                    catch (Exception e) when (!(e is PipelineStoppedException)) { ThrowTerminatingError(WireValue.ValueErrorRecord(e, "SandboxOptions")); }
                }
                switch (set)
                {
                    case "AppSecretCredentialParameterSet":
                        parameters["ClientId"] = ClientSecretCredential.UserName;
                        parameters["ClientSecret"] = Engine.AddSecret(ClientSecretCredential.Password, secrets);
                        break;
                    case "AccessTokenParameterSet":
                        parameters["AccessToken"] = Engine.AddSecret(AccessToken, secrets);
                        break;
                    case "IdentityParameterSet":
                        parameters["Identity"] = true;
                        break;
                    case "EnvironmentVariableParameterSet":
                        {
                            parameters["EnvironmentVariable"] = true;
                            var vars = (Hashtable)parameters["ProcessEnvironment"];
                            var path = vars["AZURE_CLIENT_CERTIFICATE_PATH"] as string;
                            if (!vars.ContainsKey("AZURE_CLIENT_SECRET") && !string.IsNullOrEmpty(path))
                            {
                                try
                                {
                                    // The password goes straight from the environment to .NET.
                                    var cert = path.EndsWith(".pem", StringComparison.OrdinalIgnoreCase)
                                        ? X509Certificate2.CreateFromPemFile(path)
                                        : new X509Certificate2(path, System.Environment.GetEnvironmentVariable("AZURE_CLIENT_CERTIFICATE_PASSWORD"), X509KeyStorageFlags.Exportable);
                                    SignIn.AddCertificate(parameters, cert, false, secrets);
                                }
                                catch (Exception e) when (!(e is PipelineStoppedException))
                                {
                                    ThrowTerminatingError(new ErrorRecord(
                                        new ArgumentException($"AZURE_CLIENT_CERTIFICATE_PATH '{path}' could not be loaded: {e.Message}"),
                                        "CertificateUnavailable", ErrorCategory.InvalidArgument, null));
                                }
                            }
                            break;
                        }
                    case "AppCertificateParameterSet":
                        {
                            if (!string.IsNullOrEmpty(CertificateThumbprint) && CertificateThumbprint.Length != 40)
                                Fail($"CertificateThumbprint must be 40 hexadecimal characters (a SHA-1 thumbprint); got {CertificateThumbprint.Length}.",
                                    "InvalidCertificateThumbprint", CertificateThumbprint);
                            if (string.IsNullOrEmpty(TenantId)) Fail("-TenantId is required for certificate sign-in.", "TenantIdRequired");
                            try
                            {
                                X509Certificate2 cert;
                                if (Certificate != null) cert = Certificate;
                                else if (!string.IsNullOrEmpty(CertificateThumbprint) || !string.IsNullOrEmpty(CertificateSubjectName))
                                    cert = SignIn.FindCertificate(CertificateThumbprint, CertificateSubjectName);
                                else throw new ArgumentException("Pass -CertificateThumbprint, -CertificateSubjectName or -Certificate.");
                                SignIn.AddCertificate(parameters, cert, SendCertificateChain, secrets);
                            }
                            catch (Exception e) when (!(e is PipelineStoppedException))
                            {
                                ThrowTerminatingError(new ErrorRecord(e, "CertificateUnavailable", ErrorCategory.InvalidArgument, null));
                            }
                            break;
                        }
                }
                InvokeEngine("Connect-MgGraph", parameters);
            }
            finally { Engine.RemoveSecrets(secrets); }
        }

        private string PSHostVersion()
        {
            var table = Unwrap(GetVariableValue("PSVersionTable")) as IDictionary;
            var version = table?["PSVersion"];
            return Convert.ToString(Unwrap(version), CultureInfo.InvariantCulture) ?? Host.Version.ToString();
        }
    }

    /// <summary>Disconnect-MgGraph: signs out.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "MgGraph",
        HelpUri = "https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/disconnect-mggraph")]
    [Alias("Disconnect-Graph")]
    [OutputType("Microsoft.Graph.PowerShell.Authentication.AuthContext")]
    public sealed class DisconnectMgGraph : MgBuiltinCmdlet
    {
        /// <summary>Signs out.</summary>
        protected override void EndProcessing()
        {
            InvokeEngine("Disconnect-MgGraph", new Hashtable { ["ProcessEnvironment"] = SignIn.Environment(null) }, "authContext");
        }
    }

    /// <summary>Get-MgContext: the current sign-in context.</summary>
    [Cmdlet(VerbsCommon.Get, "MgContext",
        HelpUri = "https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/get-mgcontext")]
    [OutputType("Microsoft.Graph.PowerShell.Authentication.AuthContext")]
    public sealed class GetMgContext : MgBuiltinCmdlet
    {
        /// <summary>Gets the context.</summary>
        protected override void EndProcessing() => InvokeEngine("Get-MgContext", new Hashtable(), "authContext");
    }

    /// <summary>Get-MgEnvironment: the clouds Connect-MgGraph can sign in to.</summary>
    [Cmdlet(VerbsCommon.Get, "MgEnvironment",
        HelpUri = "https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/get-mgenvironment")]
    [OutputType("Microsoft.Graph.PowerShell.Authentication.GraphEnvironment")]
    public sealed class GetMgEnvironment : MgBuiltinCmdlet
    {
        /// <summary>Returns only this environment.</summary>
        [Parameter(Position = 1)]
        public string Name { get; set; }

        /// <summary>Lists them.</summary>
        protected override void EndProcessing()
        {
            var parameters = new Hashtable();
            if (!string.IsNullOrEmpty(Name)) parameters["Name"] = Name;
            InvokeEngine("Get-MgEnvironment", parameters, "graphEnvironment");
        }
    }

    /// <summary>Add-MgEnvironment: adds a cloud with custom endpoints.</summary>
    [Cmdlet(VerbsCommon.Add, "MgEnvironment", SupportsShouldProcess = true,
        HelpUri = "https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/add-mgenvironment")]
    [OutputType("Microsoft.Graph.PowerShell.Authentication.GraphEnvironment")]
    public sealed class AddMgEnvironment : MgBuiltinCmdlet
    {
        /// <summary>The environment's name.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string Name { get; set; }

        /// <summary>The identity platform's base URL.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("AzureADUrl", "AzureADEndpointResourceId")]
        public string AzureADEndpoint { get; set; }

        /// <summary>Microsoft Graph's base URL.</summary>
        [Parameter(Mandatory = true, Position = 2, ValueFromPipelineByPropertyName = true)]
        public string GraphEndpoint { get; set; }

        /// <summary>Adds it.</summary>
        protected override void EndProcessing()
        {
            if (!Confirm(Name, "Add environment")) return;
            InvokeEngine("Add-MgEnvironment", new Hashtable
            {
                ["Name"] = Name,
                ["AzureADEndpoint"] = AzureADEndpoint,
                ["GraphEndpoint"] = GraphEndpoint,
            }, "graphEnvironment");
        }
    }

    /// <summary>Set-MgEnvironment: new endpoints for a user-defined environment (built-in
    /// clouds cannot be changed). Returns the environment as it now is.</summary>
    [Cmdlet(VerbsCommon.Set, "MgEnvironment", SupportsShouldProcess = true,
        HelpUri = "https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/set-mgenvironment")]
    [OutputType("Microsoft.Graph.PowerShell.Authentication.GraphEnvironment")]
    public sealed class SetMgEnvironment : MgBuiltinCmdlet
    {
        /// <summary>The environment's name.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string Name { get; set; }

        /// <summary>The identity platform's base URL (unchanged when not given).</summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("AzureADUrl")]
        public string AzureADEndpoint { get; set; }

        /// <summary>Microsoft Graph's base URL (unchanged when not given).</summary>
        [Parameter(Position = 2, ValueFromPipelineByPropertyName = true)]
        public string GraphEndpoint { get; set; }

        /// <summary>Changes it.</summary>
        protected override void ProcessRecord()
        {
            if (!Confirm(Name, "Set environment")) return;
            var parameters = new Hashtable { ["Name"] = Name };
            if (!string.IsNullOrEmpty(AzureADEndpoint)) parameters["AzureADEndpoint"] = AzureADEndpoint;
            if (!string.IsNullOrEmpty(GraphEndpoint)) parameters["GraphEndpoint"] = GraphEndpoint;
            InvokeEngine("Set-MgEnvironment", parameters, "graphEnvironment");
        }
    }

    /// <summary>Remove-MgEnvironment: forgets a user-defined environment and returns it
    /// (built-in clouds cannot be removed).</summary>
    [Cmdlet(VerbsCommon.Remove, "MgEnvironment", SupportsShouldProcess = true,
        HelpUri = "https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/remove-mgenvironment")]
    [OutputType("Microsoft.Graph.PowerShell.Authentication.GraphEnvironment")]
    public sealed class RemoveMgEnvironment : MgBuiltinCmdlet
    {
        /// <summary>The environment's name.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string Name { get; set; }

        /// <summary>Removes it.</summary>
        protected override void ProcessRecord()
        {
            if (!Confirm(Name, "Remove environment")) return;
            InvokeEngine("Remove-MgEnvironment", new Hashtable { ["Name"] = Name }, "graphEnvironment");
        }
    }

    /// <summary>The SDK's global options (<c>Get-</c>/<c>Set-MgGraphOption</c>), kept in
    /// <c>options.json</c> beside the token cache (<c>MGGRAPH_CACHE_DIR</c>, else
    /// <c>~/.mggraph</c>) so they last across sessions as the SDK's do. MgGraph never signs in
    /// through Windows' Web Account Manager (it uses the browser or a device code), so the WAM
    /// option is only kept and read back: scripts that set it run unchanged.</summary>
    internal static class GraphOptions
    {
        private static string FilePath
        {
            get
            {
                var dir = System.Environment.GetEnvironmentVariable("MGGRAPH_CACHE_DIR");
                if (string.IsNullOrEmpty(dir))
                    dir = System.IO.Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".mggraph");
                return System.IO.Path.Combine(dir, "options.json");
            }
        }

        /// <summary>Whether WAM sign-in was asked for (false when never set or unreadable).</summary>
        internal static bool EnableWam
        {
            get
            {
                try
                {
                    var path = FilePath;
                    if (!System.IO.File.Exists(path)) return false;
                    return JsonValues.Parse(System.IO.File.ReadAllText(path)) is IDictionary d && d["EnableWAMForMSGraph"] is bool b && b;
                }
                catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException || e is Newtonsoft.Json.JsonException)
                {
                    return false;
                }
            }
        }

        /// <summary>Writes the option.</summary>
        /// <exception cref="System.IO.IOException">The file cannot be written.</exception>
        internal static void Save(bool enableWam)
        {
            var path = FilePath;
            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path));
            System.IO.File.WriteAllText(path, "{\"EnableWAMForMSGraph\":" + (enableWam ? "true" : "false") + "}");
        }

        /// <summary>The options as Get-MgGraphOption returns them.</summary>
        internal static PSObject Current() =>
            MgBuiltinCmdlet.CustomObject("Microsoft.Graph.PowerShell.Authentication.GraphOption", ("EnableWAMForMSGraph", EnableWam));
    }

    /// <summary>Get-MgGraphOption: the SDK's global options (whether WAM sign-in is asked for).</summary>
    [Cmdlet(VerbsCommon.Get, "MgGraphOption",
        HelpUri = "https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/get-mggraphoption")]
    [OutputType("Microsoft.Graph.PowerShell.Authentication.IGraphOption")]
    public sealed class GetMgGraphOption : MgBuiltinCmdlet
    {
        /// <summary>Reads them.</summary>
        protected override void EndProcessing() => WriteObject(GraphOptions.Current());
    }

    /// <summary>Set-MgGraphOption: sets the SDK's global options; they last across sessions.</summary>
    [Cmdlet(VerbsCommon.Set, "MgGraphOption", SupportsShouldProcess = true,
        HelpUri = "https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/set-mggraphoption")]
    public sealed class SetMgGraphOption : MgBuiltinCmdlet
    {
        /// <summary>Asks for sign-in through Windows' Web Account Manager (kept, not used).</summary>
        [Parameter]
        public bool EnableLoginByWAM { get; set; }

        /// <summary>The opposite switch of the SDK's newer releases.</summary>
        [Parameter]
        public bool? DisableLoginByWAM { get; set; }

        /// <summary>Saves them.</summary>
        protected override void EndProcessing()
        {
            if (IsBound("EnableLoginByWAM") && DisableLoginByWAM.HasValue && EnableLoginByWAM == DisableLoginByWAM.Value)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException("-EnableLoginByWAM and -DisableLoginByWAM contradict each other: give one of them."),
                    "ContradictoryOptions", ErrorCategory.InvalidArgument, null));
            }
            bool? wam = IsBound("EnableLoginByWAM") ? EnableLoginByWAM : DisableLoginByWAM.HasValue ? !DisableLoginByWAM.Value : (bool?)null;
            if (wam.HasValue && Confirm("EnableWAMForMSGraph", $"Set to {wam.Value}")) GraphOptions.Save(wam.Value);
        }
    }

    /// <summary>Get-MgRequestContext: the retry, timeout and concurrency settings.</summary>
    [Cmdlet(VerbsCommon.Get, "MgRequestContext",
        HelpUri = "https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/get-mgrequestcontext")]
    [OutputType("Microsoft.Graph.PowerShell.Authentication.GraphRequestContext")]
    public sealed class GetMgRequestContext : MgBuiltinCmdlet
    {
        /// <summary>Gets them.</summary>
        protected override void EndProcessing() => InvokeEngine("Get-MgRequestContext", new Hashtable(), "requestContext");
    }

    /// <summary>Set-MgRequestContext: sets the retry, timeout and concurrency settings (process-wide).</summary>
    [Cmdlet(VerbsCommon.Set, "MgRequestContext", SupportsShouldProcess = true,
        HelpUri = "https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/set-mgrequestcontext")]
    [OutputType("Microsoft.Graph.PowerShell.Authentication.GraphRequestContext")]
    public sealed class SetMgRequestContext : MgBuiltinCmdlet
    {
        /// <summary>Retries of a throttled or unavailable request.</summary>
        [Parameter(Position = 0)]
        [ValidateRange(0, 10)]
        public int MaxRetry { get; set; }

        /// <summary>Base backoff in seconds.</summary>
        [Parameter(Position = 1)]
        [ValidateRange(0, 180)]
        public int RetryDelay { get; set; }

        /// <summary>Cap in seconds on the total wait between retries.</summary>
        [Parameter(Position = 2)]
        [ValidateRange(0, 86400)]
        public int RetriesTimeLimit { get; set; }

        /// <summary>Timeout of one HTTP request in seconds.</summary>
        [Parameter(Position = 3)]
        [ValidateRange(1, 86400)]
        public int ClientTimeout { get; set; }

        /// <summary>Pipeline inputs sent at once by the Graph cmdlets.</summary>
        [Parameter(Position = 4)]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; }

        /// <summary>Sets them.</summary>
        protected override void EndProcessing()
        {
            if (!Confirm("MgGraph request context", "Update")) return;
            var parameters = new Hashtable();
            var bound = MyInvocation.BoundParameters;
            foreach (var name in new[] { "MaxRetry", "RetryDelay", "RetriesTimeLimit", "ClientTimeout", "ThrottleLimit" })
            {
                if (bound.TryGetValue(name, out var v)) parameters[name] = Unwrap(v);
            }
            var result = new List<object>();
            InvokeEngine("Set-MgRequestContext", parameters, "requestContext", null, result);
            foreach (var r in result)
            {
                var limit = PSObject.AsPSObject(r).Properties["ThrottleLimit"]?.Value;
                AppDomain.CurrentDomain.SetData("MgGraph.ThrottleLimit", Convert.ToInt32(Unwrap(limit), CultureInfo.InvariantCulture));
                WriteObject(r);
            }
        }
    }

    /// <summary>Tab completion of <c>-Environment</c>: the environments Get-MgEnvironment lists
    /// (the SDK's clouds, the in-process Sandbox, user-defined ones), by prefix, any case.</summary>
    public sealed class EnvironmentNameCompleter : IArgumentCompleter
    {
        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            System.Management.Automation.Language.CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var names = new List<string>();
            try
            {
                var answer = new List<object>();
                Engine.InvokeBuiltin("Get-MgEnvironment", new Hashtable(), null, null, null, answer, false, false);
                foreach (var item in answer)
                    if (item is IDictionary d && d["name"] is string n) names.Add(n);
            }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                // No engine to ask (it failed to load, which Connect-MgGraph then reports):
                // nothing to offer, rather than a copy of its list here.
            }
            var prefix = (wordToComplete ?? "").Trim('\'', '"');
            foreach (var n in names)
            {
                if (!n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
                var text = n.IndexOfAny(new[] { ' ', '\'', '"', '$', '`' }) >= 0 ? "'" + n.Replace("'", "''") + "'" : n;
                yield return new CompletionResult(text, n, CompletionResultType.ParameterValue, n);
            }
        }
    }
}
